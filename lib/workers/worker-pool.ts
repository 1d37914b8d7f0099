// A fixed pool of worker threads with a bounded queue, so heavy BigInt work never runs on an event loop.

import { QueueFullError, TaskAbortedError } from '../errors';
import { availableParallelism } from 'node:os';
import { Worker, type TransferListItem } from 'node:worker_threads';

export interface WorkerPoolOptions {
  /** Absolute path of the worker module, without extension (resolved to .ts or .js beside this file's kind). */
  script: string;
  /** Number of threads. Default: available cores minus one, at least 1. */
  size?: number;
  /**
   * Owners (see RunOptions.owner) that may have tasks waiting for a free thread before run() throws QueueFullError.
   * Default: 64.
   */
  maxQueue?: number;
}

export interface RunOptions {
  /** Aborting removes a waiting task from the queue, or stops the thread running it. */
  signal?: AbortSignal;
  /** Objects to transfer (not copy) to the worker with the input. */
  transfer?: TransferListItem[];
  /** Called when a thread takes the task (after any wait in the queue). */
  onStart?: () => void;
  /**
   * What the task is part of (a call, an operation). The queue's bound counts owners, not tasks: an owner with
   * tasks in the pool has its next ones admitted, so one that needs more tasks than the queue holds is served whole
   * on an idle pool instead of refused part-way on every try. Default: the task is its own owner.
   */
  owner?: object;
}

export interface PoolStats {
  size: number;
  busy: number;
  queued: number;
  /** Tasks aborted so far, waiting or running. */
  aborted: number;
}

interface Task {
  owner: object;
  settled?: boolean;
  input: unknown;
  transfer: TransferListItem[];
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onStart: (() => void) | undefined;
  onAbort: () => void;
}

interface Slot {
  worker: Worker;
  task: Task | undefined;
}

/** The message a worker posts back: see serveWorkerTasks in worker-host.ts. */
export type WorkerReply = { ok: true; output: unknown } | { ok: false; name: string; message: string };

export class WorkerPool<TInput, TOutput> {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly maxQueue: number;
  private readonly scriptPath: string;
  private closed = false;
  private aborted = 0;
  /** Tasks queued or running, by owner; and how many of them are queued. */
  private readonly owners = new Map<object, { tasks: number; queued: number }>();
  private waitingOwners = 0;

  constructor(options: WorkerPoolOptions) {
    const size = options.size ?? Math.max(1, availableParallelism() - 1);
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, but got: ${String(size)}`);
    this.maxQueue = options.maxQueue ?? 64;
    this.scriptPath = options.script;
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /** Runs one task on a free thread, or queues it; rejects with QueueFullError at once when the queue is full. */
  run(input: TInput, options: RunOptions = {}): Promise<TOutput> {
    if (this.closed) return Promise.reject(new Error('the worker pool is closed'));
    if (options.signal?.aborted) return Promise.reject(new TaskAbortedError());
    const free = this.slots.find((slot) => slot.task === undefined);
    if (!free && !this.owners.has(options.owner as object) && this.waitingOwners >= this.maxQueue) {
      return Promise.reject(new QueueFullError(this.maxQueue));
    }
    return new Promise<TOutput>((resolve, reject) => {
      const task: Task = {
        owner: options.owner ?? {},
        input,
        transfer: options.transfer ?? [],
        resolve: resolve as (value: unknown) => void,
        reject,
        signal: options.signal,
        onStart: options.onStart,
        onAbort: () => this.abort(task),
      };
      task.signal?.addEventListener('abort', task.onAbort, { once: true });
      this.track(task, +1, free ? 0 : +1);
      if (free) this.start(free, task);
      else this.queue.push(task);
    });
  }

  /** Counts an owner's tasks in the pool and queued, and how many owners have tasks queued. */
  private track(task: Task, tasks: number, queued: number): void {
    const entry = this.owners.get(task.owner) ?? { tasks: 0, queued: 0 };
    if (entry.queued === 0 && queued > 0) this.waitingOwners++;
    entry.tasks += tasks;
    entry.queued += queued;
    if (entry.queued === 0 && queued < 0) this.waitingOwners--;
    if (entry.tasks === 0) this.owners.delete(task.owner);
    else this.owners.set(task.owner, entry);
  }

  stats(): PoolStats {
    return { size: this.slots.length, busy: this.slots.filter((s) => s.task).length, queued: this.queue.length, aborted: this.aborted };
  }

  /** Rejects waiting tasks and stops every thread. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) {
      this.track(task, 0, -1);
      this.settle(task, new Error('the worker pool is closed'));
    }
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.task) this.settle(slot.task, new Error('the worker pool is closed'));
        slot.task = undefined;
        await slot.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const worker = createWorker(this.scriptPath);
    const slot: Slot = { worker, task: undefined };
    worker.on('message', (reply: WorkerReply) => {
      const task = slot.task;
      slot.task = undefined;
      if (task) {
        if (reply.ok) this.settle(task, undefined, reply.output);
        else this.settle(task, Object.assign(new Error(reply.message), { name: reply.name }));
      }
      this.next(slot);
    });
    worker.on('error', (error) => this.replace(slot, error));
    worker.on('exit', (code) => this.replace(slot, new Error(`a worker thread exited with code ${code}`)));
    // Idle threads must not keep a stopping process alive; busy ones must (see start/next).
    worker.unref();
    return slot;
  }

  private start(slot: Slot, task: Task): void {
    slot.task = task;
    task.onStart?.();
    slot.worker.ref();
    slot.worker.postMessage(task.input, task.transfer);
  }

  private next(slot: Slot): void {
    const task = this.queue.shift();
    if (task) {
      this.track(task, 0, -1);
      this.start(slot, task);
    } else {
      slot.worker.unref();
    }
  }

  private abort(task: Task): void {
    this.aborted++;
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      // Waiting: drop it, freeing its queue slot.
      this.queue.splice(queued, 1);
      this.track(task, 0, -1);
      this.settle(task, new TaskAbortedError());
      return;
    }
    const slot = this.slots.find((s) => s.task === task);
    if (slot) {
      // Running: BigInt work cannot be interrupted, so stop the thread and start a fresh one.
      slot.task = undefined;
      this.settle(task, new TaskAbortedError());
      this.replace(slot, undefined);
    }
  }

  /** Stops a slot's thread (if still running) and puts a new one in its place. */
  private replace(slot: Slot, error: Error | undefined): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    const old = slot.worker;
    old.removeAllListeners();
    old.on('error', () => {});
    void old.terminate();
    if (slot.task && error) this.settle(slot.task, error);
    const fresh = this.spawn();
    this.slots[index] = fresh;
    this.next(fresh);
  }

  /** Ends a task (queued or running, never both: it left the queue first) with its result or error. */
  private settle(task: Task, error: Error | undefined, output?: unknown): void {
    if (task.settled) return;
    task.settled = true;
    this.track(task, -1, 0);
    task.signal?.removeEventListener('abort', task.onAbort);
    if (error) task.reject(error);
    else task.resolve(output);
  }
}

/**
 * Starts a worker from a module path without extension. Compiled code runs the .js file;
 * under tsx or ts-jest (this file is .ts) the worker loads the .ts file through tsx's
 * require hook, since plain Node cannot run TypeScript in a thread.
 */
function createWorker(script: string): Worker {
  if (__filename.endsWith('.ts')) {
    const tsx = require.resolve('tsx/cjs/api');
    const bootstrap = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(`${script}.ts`)});`;
    return new Worker(bootstrap, { eval: true });
  }
  return new Worker(`${script}.js`);
}
