import { Deadline, deadlineFromHeader } from './deadline';

describe('deadlineFromHeader', () => {
  it('takes the header, capped by the maximum; the maximum when absent or malformed', () => {
    expect(deadlineFromHeader('250', 1000, 0)).toBe(250);
    expect(deadlineFromHeader('5000', 1000, 0)).toBe(1000);
    expect(deadlineFromHeader(undefined, 1000, 0)).toBe(1000);
    expect(deadlineFromHeader('-5', 1000, 0)).toBe(1000);
    expect(deadlineFromHeader(['300', '9'], 1000, 0)).toBe(300);
  });
});

describe('Deadline', () => {
  it('aborts its signal when the deadline passes', async () => {
    const deadline = new Deadline(Date.now() + 30);
    const { signal } = deadline;
    expect(signal.aborted).toBe(false);
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    expect(signal.aborted).toBe(true);
  });

  it('expires early: listeners run once, the signal aborts, even one asked for afterwards', () => {
    const deadline = new Deadline(Date.now() + 60_000);
    const early = deadline.signal;
    let calls = 0;
    const removed = jest.fn();
    deadline.onExpire(() => calls++);
    deadline.onExpire(removed)();
    deadline.expire();
    deadline.expire();
    expect(calls).toBe(1);
    expect(removed).not.toHaveBeenCalled();
    expect(early.aborted).toBe(true);
    expect(deadline.signal.aborted).toBe(true);
    const late = jest.fn();
    deadline.onExpire(late);
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('after finish, neither the time nor expire() aborts anything', async () => {
    const deadline = new Deadline(Date.now() + 20);
    const { signal } = deadline;
    const listener = jest.fn();
    deadline.onExpire(listener);
    deadline.finish();
    deadline.expire();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(signal.aborted).toBe(false);
    expect(listener).not.toHaveBeenCalled();
  });

  it('after finish, a listener added later is never called and a signal asked for later is not aborted', () => {
    const deadline = new Deadline(Date.now() + 60_000);
    deadline.finish();
    const late = jest.fn();
    deadline.onExpire(late);
    deadline.expire();
    expect(late).not.toHaveBeenCalled();
    expect(deadline.signal.aborted).toBe(false);
  });

  it('without a deadline (or one beyond what a timer takes) only expire() aborts it', () => {
    for (const at of [undefined, Date.now() + 2 ** 40]) {
      const deadline = new Deadline(at);
      const { signal } = deadline;
      expect(signal.aborted).toBe(false);
      deadline.expire();
      expect(signal.aborted).toBe(true);
    }
  });

  it('a signal asked for after the deadline is already aborted', () => {
    expect(new Deadline(Date.now() - 1).signal.aborted).toBe(true);
  });
});
