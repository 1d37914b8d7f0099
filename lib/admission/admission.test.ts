// The admission budget: shares in arrival order, waits within a deadline, refusals when too many wait.

import { Deadline } from '../request';
import { Admission } from './admission';
import { QueueFullError, TaskAbortedError } from '../errors';

const later = () => new Deadline(Date.now() + 60_000);

describe('Admission', () => {
  it('grants shares that fit at once, and gives them back once', async () => {
    const budget = new Admission({ capacity: 10, maxWaiting: 1 });
    const a = await budget.acquire(4, later());
    const b = await budget.acquire(6, later());
    expect(budget.stats()).toMatchObject({ inUse: 10, waiting: 0 });
    a();
    a();
    b();
    expect(budget.stats()).toMatchObject({ inUse: 0 });
  });

  it('makes a share wait until enough is given back, in arrival order', async () => {
    const budget = new Admission({ capacity: 10, maxWaiting: 5 });
    const first = await budget.acquire(8, later());
    const order: string[] = [];
    const big = budget.acquire(7, later()).then((release) => (order.push('big'), release));
    const small = budget.acquire(1, later()).then((release) => (order.push('small'), release));
    await new Promise((r) => setTimeout(r, 10));
    // The small one would fit now, but waits behind the first to ask.
    expect(order).toEqual([]);
    first();
    (await big)();
    (await small)();
    expect(order).toEqual(['big', 'small']);
  });

  it('refuses at once when too many wait, and counts the refusal', async () => {
    const budget = new Admission({ capacity: 1, maxWaiting: 1 });
    const held = await budget.acquire(1, later());
    const waiting = budget.acquire(1, later());
    await expect(budget.acquire(1, later())).rejects.toBeInstanceOf(QueueFullError);
    expect(budget.stats()).toMatchObject({ waiting: 1, refused: 1 });
    held();
    (await waiting)();
  });

  it('stops waiting when the deadline passes, and lets the next one in', async () => {
    const budget = new Admission({ capacity: 10, maxWaiting: 5 });
    const held = await budget.acquire(9, later());
    const expiring = budget.acquire(5, new Deadline(Date.now() + 30));
    const next = budget.acquire(1, later());
    await expect(expiring).rejects.toBeInstanceOf(TaskAbortedError);
    (await next)();
    expect(budget.stats()).toMatchObject({ inUse: 9, waiting: 0 });
    held();
  });

  it('grants a share larger than the whole budget alone, on an idle process', async () => {
    const budget = new Admission({ capacity: 10, maxWaiting: 5 });
    const huge = await budget.acquire(1_000, later());
    expect(budget.stats().inUse).toBe(10);
    let granted = false;
    const small = budget.acquire(1, later()).then((release) => ((granted = true), release));
    await new Promise((r) => setTimeout(r, 10));
    expect(granted).toBe(false);
    huge();
    (await small)();
  });
});

describe('Admission, small shares', () => {
  it('grants a small share whenever it fits, ahead of a big one waiting for room', async () => {
    const budget = new Admission({ capacity: 1024, maxWaiting: 5 });
    const held = await budget.acquire(900, later());
    let bigGranted = false;
    const big = budget.acquire(500, later()).then((release) => ((bigGranted = true), release));
    const small = await budget.acquire(4, later());
    expect(bigGranted).toBe(false);
    expect(budget.stats()).toMatchObject({ inUse: 904, waiting: 1 });
    small();
    held();
    (await big)();
  });
});
