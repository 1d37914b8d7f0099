// The worker pool: results, errors from tasks, aborts, the bounded queue and its owners.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FixtureTask } from './fixture-worker';
import { WORKER_NICENESS } from './worker-host';
import { QueueFullError, TaskAbortedError } from '../errors';
import { WorkerPool } from './worker-pool';

const script = path.join(__dirname, 'fixture-worker');
const spin = (ms: number, value = ms): FixtureTask => ({ kind: 'spin', ms, value });

describe('WorkerPool', () => {
  let pool: WorkerPool<FixtureTask, number>;
  beforeEach(() => {
    pool = new WorkerPool({ script, size: 1, maxQueue: 1 });
  });
  afterEach(() => pool.close());

  it('runs a task on a thread and returns its result', async () => {
    expect(await pool.run(spin(1, 42))).toBe(42);
  });

  it('rejects with the error a task threw, and keeps serving', async () => {
    await expect(pool.run({ kind: 'fail', message: 'n must be a non-negative integer, but got: -1' })).rejects.toThrow(
      'n must be a non-negative integer, but got: -1',
    );
    expect(await pool.run(spin(1, 120))).toBe(120);
  });

  it('refuses a task at once when the thread is busy and the queue is full', async () => {
    const running = pool.run(spin(300));
    const queued = pool.run(spin(1));
    await expect(pool.run(spin(1))).rejects.toBeInstanceOf(QueueFullError);
    expect(pool.stats()).toEqual({ size: 1, busy: 1, queued: 1, aborted: 0 });
    await Promise.all([running, queued]);
  });

  it("admits every task of an owner already in the pool, and counts owners, not tasks, against the queue's bound", async () => {
    const call = {};
    const other = {};
    const mine = [pool.run(spin(200, 1), { owner: call }), ...[2, 3, 4, 5].map((v) => pool.run(spin(1, v), { owner: call }))];
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 4 });
    // The queue's one place is taken by `call`: a second owner is refused, whatever it brings.
    await expect(pool.run(spin(1), { owner: other })).rejects.toBeInstanceOf(QueueFullError);
    expect(await Promise.all(mine)).toEqual([1, 2, 3, 4, 5]);
    // Gone from the pool, `call` holds no place any more.
    expect(await pool.run(spin(1, 6), { owner: other })).toBe(6);
  });

  it('drops an aborted queued task and replaces a thread whose running task is aborted', async () => {
    const first = new AbortController();
    const second = new AbortController();
    const running = pool.run(spin(10_000), { signal: first.signal });
    const queued = pool.run(spin(1), { signal: second.signal });
    second.abort();
    await expect(queued).rejects.toBeInstanceOf(TaskAbortedError);
    expect(pool.stats().queued).toBe(0);
    first.abort();
    await expect(running).rejects.toBeInstanceOf(TaskAbortedError);
    expect(pool.stats()).toEqual({ size: 1, busy: 0, queued: 0, aborted: 2 });
    expect(await pool.run(spin(1, 720))).toBe(720);
  });
});

describe('WorkerPool threads', () => {
  // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value (counted after the command name in parentheses).
  const niceOf = (statPath: string) => Number(fs.readFileSync(statPath, 'utf8').split(') ')[1]!.split(' ')[16]);

  (process.platform === 'linux' ? it : it.skip)(`run ${WORKER_NICENESS} nice levels below the event loop (Linux)`, async () => {
    const pool = new WorkerPool<FixtureTask, number>({ script, size: 1, maxQueue: 0 });
    try {
      await pool.run(spin(1)); // the thread is up
      const base = niceOf('/proc/thread-self/stat');
      const threads = fs.readdirSync('/proc/self/task').map((tid) => niceOf(`/proc/self/task/${tid}/stat`));
      expect(threads).toContain(Math.min(19, base + WORKER_NICENESS));
      expect(threads).toContain(base); // the event loop's own priority is untouched
    } finally {
      await pool.close();
    }
  });
});
