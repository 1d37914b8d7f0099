// Where factorials come from: the byte-bounded cache, inline computation for cheap ones, or the worker pool.

import { byteCache, type ByteCache } from '../../../lib/cache';
import { runInSpan } from '../../../lib/observability';
import type { Deadline } from '../../../lib/request';
import { TaskAbortedError } from '../../../lib/errors';
import { inlineTurn, type WorkerPool } from '../../../lib/workers';
import type { RepresentationName } from '../contract';
import { factorialExponents, factorialValue } from './engine';
import type { FactorialTask } from './factorial-worker';

export type Result = Uint8Array | Uint32Array;

export interface FactorialStoreOptions {
  pool: WorkerPool<FactorialTask, Result>;
  /** Bytes of results kept across calls. */
  cacheBytes: number;
  /** Values of n! for n up to this are computed inline (cheaper than a thread hop). */
  inlineValueMaxN: number;
  /** Prime exponents of n! for n up to this are computed inline. */
  inlineExponentsMaxN: number;
  onCacheLookup?: (representation: RepresentationName, hit: boolean) => void;
}

/** Where the factorials of one call came from, counted (recorded on the call's span). */
export type SourceTally = Record<'cache' | 'inline' | 'worker' | 'shared', number>;

/** A computation on a worker thread, shared by every call that waits for the same factorial. */
interface SharedTask {
  promise: Promise<Result>;
  controller: AbortController;
  waiters: number;
  /** The computation has finished: there is nothing left to stop. */
  settled: boolean;
}

export class FactorialStore {
  private readonly cache: ByteCache<string, Result>;
  private readonly shared = new Map<string, SharedTask>();

  constructor(private readonly options: FactorialStoreOptions) {
    this.cache = byteCache(options.cacheBytes, { sizeOf: (result) => result.byteLength });
  }

  /** Whether n! in this representation would be computed on a worker thread (it is not cached, and not cheap). */
  needsWorker(representation: RepresentationName, n: number): boolean {
    return n > this.inlineMaxN(representation) && !this.cache.get(`${representation}:${n}`);
  }

  /**
   * n! as bytes ('value') or prime exponents ('prime_exponents'); the deadline stops waiting, and stops the work
   * once nobody waits. `owner` (the call) is what the worker pool admits as a whole.
   */
  async get(representation: RepresentationName, n: number, deadline: Deadline, owner: object, tally?: SourceTally): Promise<Result> {
    const key = `${representation}:${n}`;
    const cached = this.cache.get(key);
    this.options.onCacheLookup?.(representation, cached !== undefined);
    if (cached) {
      if (tally) tally.cache++;
      return cached;
    }
    if (n <= this.inlineMaxN(representation)) {
      if (tally) tally.inline++;
      return this.computeInline(representation, n, key, deadline);
    }
    return this.computeInPool(representation, n, key, deadline, owner, tally);
  }

  private inlineMaxN(representation: RepresentationName): number {
    return representation === 'value' ? this.options.inlineValueMaxN : this.options.inlineExponentsMaxN;
  }

  private async computeInline(representation: RepresentationName, n: number, key: string, deadline: Deadline): Promise<Result> {
    // Many cheap results in one batch add up: the event loop gets its turns, and nobody waits for an expired call.
    await inlineTurn(() => deadline.expired);
    const result = representation === 'value' ? factorialValue(n) : factorialExponents(n);
    this.cache.set(key, result);
    return result;
  }

  private async computeInPool(
    representation: RepresentationName,
    n: number,
    key: string,
    deadline: Deadline,
    owner: object,
    tally?: SourceTally,
  ): Promise<Result> {
    // Concurrent calls for the same factorial share one computation.
    let task = this.shared.get(key);
    if (tally) tally[task ? 'shared' : 'worker']++;
    if (!task) {
      const controller = new AbortController();
      const attributes = { 'factorial.n': n, 'factorial.representation': representation };
      const input: FactorialTask = { representation, n };
      const promise = runInSpan(this.options.pool, 'factorial.compute', attributes, input, { signal: controller.signal, owner }).then(
        (result) => {
          this.cache.set(key, result);
          return result;
        },
      );
      const created: SharedTask = { promise, controller, waiters: 0, settled: false };
      const forget = (): void => {
        created.settled = true;
        if (this.shared.get(key) === created) this.shared.delete(key);
      };
      promise.then(forget, forget);
      this.shared.set(key, created);
      task = created;
    }
    task.waiters++;
    try {
      return await untilAborted(task.promise, deadline.signal);
    } finally {
      // The last caller to give up stops the computation (if it still runs).
      if (--task.waiters === 0 && !task.settled) task.controller.abort();
    }
  }
}

/** The promise's outcome, or a TaskAbortedError as soon as the signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new TaskAbortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new TaskAbortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
