// The worker pool: results, errors from tasks, aborts, and the bounded queue.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { WORKER_NICENESS } from './worker-host';
import { QueueFullError, TaskAbortedError, WorkerPool } from './worker-pool';
import type { FactorialTask } from '../../services/factorial/src/factorial-worker';
import { bytesToBigint } from '../math';

const script = path.join(__dirname, '../../services/factorial/src/factorial-worker');

describe('WorkerPool', () => {
  let pool: WorkerPool<FactorialTask, Uint8Array | Uint32Array>;
  beforeEach(() => {
    pool = new WorkerPool({ script, size: 1, maxQueue: 1 });
  });
  afterEach(() => pool.close());

  it('runs a task on a thread and returns its result', async () => {
    expect(bytesToBigint((await pool.run({ representation: 'value', n: 20 })) as Uint8Array)).toBe(2432902008176640000n);
  });

  it('rejects with the error a task threw, and keeps serving', async () => {
    await expect(pool.run({ representation: 'value', n: -1 })).rejects.toThrow('n must be a non-negative integer, but got: -1');
    expect(bytesToBigint((await pool.run({ representation: 'value', n: 5 })) as Uint8Array)).toBe(120n);
  });

  it('refuses a task at once when the thread is busy and the queue is full', async () => {
    const running = pool.run({ representation: 'value', n: 300_000 });
    const queued = pool.run({ representation: 'value', n: 10 });
    await expect(pool.run({ representation: 'value', n: 11 })).rejects.toBeInstanceOf(QueueFullError);
    expect(pool.stats()).toEqual({ size: 1, busy: 1, queued: 1, aborted: 0 });
    await Promise.all([running, queued]);
  });

  it('drops an aborted queued task and replaces a thread whose running task is aborted', async () => {
    const first = new AbortController();
    const second = new AbortController();
    const running = pool.run({ representation: 'value', n: 1_000_000 }, { signal: first.signal });
    const queued = pool.run({ representation: 'value', n: 12 }, { signal: second.signal });
    second.abort();
    await expect(queued).rejects.toBeInstanceOf(TaskAbortedError);
    expect(pool.stats().queued).toBe(0);
    first.abort();
    await expect(running).rejects.toBeInstanceOf(TaskAbortedError);
    expect(pool.stats()).toEqual({ size: 1, busy: 0, queued: 0, aborted: 2 });
    expect(bytesToBigint((await pool.run({ representation: 'value', n: 6 })) as Uint8Array)).toBe(720n);
  });
});

describe('WorkerPool threads', () => {
  // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value (counted after the command name in parentheses).
  const niceOf = (statPath: string) => Number(fs.readFileSync(statPath, 'utf8').split(') ')[1]!.split(' ')[16]);

  (process.platform === 'linux' ? it : it.skip)(`run ${WORKER_NICENESS} nice levels below the event loop (Linux)`, async () => {
    const pool = new WorkerPool<FactorialTask, Uint8Array | Uint32Array>({ script, size: 1, maxQueue: 0 });
    try {
      await pool.run({ representation: 'value', n: 5 }); // the thread is up
      const base = niceOf('/proc/thread-self/stat');
      const threads = fs.readdirSync('/proc/self/task').map((tid) => niceOf(`/proc/self/task/${tid}/stat`));
      expect(threads).toContain(Math.min(19, base + WORKER_NICENESS));
      expect(threads).toContain(base); // the event loop's own priority is untouched
    } finally {
      await pool.close();
    }
  });
});
