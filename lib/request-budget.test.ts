import { budgetFromHeader, RequestLifetime } from './request-budget';

describe('budgetFromHeader', () => {
  it('takes the header, capped by the maximum; the maximum when absent or malformed', () => {
    expect(budgetFromHeader('250', 1000)).toBe(250);
    expect(budgetFromHeader('5000', 1000)).toBe(1000);
    expect(budgetFromHeader(undefined, 1000)).toBe(1000);
    expect(budgetFromHeader('-5', 1000)).toBe(1000);
    expect(budgetFromHeader(['300', '9'], 1000)).toBe(300);
  });
});

describe('RequestLifetime', () => {
  it('aborts its signal when the deadline passes', async () => {
    const lifetime = new RequestLifetime(Date.now() + 30);
    const { signal } = lifetime;
    expect(signal.aborted).toBe(false);
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    expect(signal.aborted).toBe(true);
  });

  it('ends early: listeners run once, the signal aborts, even one asked for afterwards', () => {
    const lifetime = new RequestLifetime(Date.now() + 60_000);
    const early = lifetime.signal;
    let calls = 0;
    const removed = jest.fn();
    lifetime.onEnd(() => calls++);
    lifetime.onEnd(removed)();
    lifetime.end();
    lifetime.end();
    expect(calls).toBe(1);
    expect(removed).not.toHaveBeenCalled();
    expect(early.aborted).toBe(true);
    expect(lifetime.signal.aborted).toBe(true);
    const late = jest.fn();
    lifetime.onEnd(late);
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('after finish, neither the deadline nor end() aborts anything', async () => {
    const lifetime = new RequestLifetime(Date.now() + 20);
    const { signal } = lifetime;
    const listener = jest.fn();
    lifetime.onEnd(listener);
    lifetime.finish();
    lifetime.end();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(signal.aborted).toBe(false);
    expect(listener).not.toHaveBeenCalled();
  });

  it('after finish, a listener added later is never called and a signal asked for later is not aborted', () => {
    const lifetime = new RequestLifetime(Date.now() + 60_000);
    lifetime.finish();
    const late = jest.fn();
    lifetime.onEnd(late);
    lifetime.end();
    expect(late).not.toHaveBeenCalled();
    expect(lifetime.signal.aborted).toBe(false);
  });

  it('without a deadline (or one beyond what a timer takes) only end() aborts it', () => {
    for (const deadline of [undefined, Date.now() + 2 ** 40]) {
      const lifetime = new RequestLifetime(deadline);
      const { signal } = lifetime;
      expect(signal.aborted).toBe(false);
      lifetime.end();
      expect(signal.aborted).toBe(true);
    }
  });

  it('a signal asked for after the deadline is already aborted', () => {
    expect(new RequestLifetime(Date.now() - 1).signal.aborted).toBe(true);
  });
});
