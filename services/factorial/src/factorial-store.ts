// Where factorials come from: the byte-bounded cache, inline computation for cheap ones, or the worker pool.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ByteLruCache } from '../../../lib/byte-lru-cache';
import type { RequestLifetime } from '../../../lib/request-budget';
import { runInSpan } from '../../../lib/telemetry';
import { TaskAbortedError, WorkerPool } from '../../../lib/worker-pool';
import { factorialExponents, factorialValue } from './engine';
import type { WorkerTask } from './factorial-worker';

export type Kind = WorkerTask['kind'];
type Result = Uint8Array | Uint32Array;

export interface FactorialStoreOptions {
  pool: WorkerPool<WorkerTask, Result>;
  /** Bytes of results kept across calls. */
  cacheBytes: number;
  /** Values of n! for n up to this are computed inline (cheaper than a thread hop). */
  inlineValueMaxN: number;
  /** Prime exponents of n! for n up to this are computed inline. */
  inlineExponentsMaxN: number;
  onCacheLookup?: (kind: Kind, hit: boolean) => void;
}

/** Where the factorials of one call came from, counted (recorded on the call's span). */
export type SourceTally = Record<'cache' | 'inline' | 'worker' | 'shared', number>;

interface Flight {
  promise: Promise<Result>;
  controller: AbortController;
  waiters: number;
  /** The computation has finished: there is nothing left to stop. */
  settled: boolean;
}

/** Longest stretch of inline work before the event loop gets a turn. */
const INLINE_SLICE_MS = 4;

export class FactorialStore {
  private readonly cache: ByteLruCache<string, Result>;
  private readonly flights = new Map<string, Flight>();
  private sliceStart = performance.now();

  constructor(private readonly options: FactorialStoreOptions) {
    this.cache = new ByteLruCache(options.cacheBytes);
  }

  get cacheBytes(): number {
    return this.cache.bytes;
  }

  /**
   * n! as bytes (kind 'value') or prime exponents (kind 'exponents'); abort stops waiting, and stops the work once
   * nobody waits. The lifetime's signal is asked for only when the result must wait for a worker.
   */
  async get(kind: Kind, n: number, lifetime: Pick<RequestLifetime, 'signal'>, tally?: SourceTally): Promise<Result> {
    const key = `${kind}:${n}`;
    const cached = this.cache.get(key);
    this.options.onCacheLookup?.(kind, cached !== undefined);
    if (cached) {
      if (tally) tally.cache++;
      return cached;
    }
    const inlineMax = kind === 'value' ? this.options.inlineValueMaxN : this.options.inlineExponentsMaxN;
    if (n <= inlineMax) {
      if (tally) tally.inline++;
      return this.computeInline(kind, n, key);
    }
    return this.computeInPool(kind, n, key, lifetime, tally);
  }

  private async computeInline(kind: Kind, n: number, key: string): Promise<Result> {
    // Many cheap results in one batch add up: give the event loop a turn every few ms.
    if (performance.now() - this.sliceStart > INLINE_SLICE_MS) {
      await yieldToEventLoop();
      this.sliceStart = performance.now();
    }
    const result = kind === 'value' ? factorialValue(n) : factorialExponents(n);
    this.cache.set(key, result, result.byteLength);
    return result;
  }

  private async computeInPool(
    kind: Kind,
    n: number,
    key: string,
    lifetime: Pick<RequestLifetime, 'signal'>,
    tally?: SourceTally,
  ): Promise<Result> {
    // Concurrent calls for the same factorial share one computation.
    let flight = this.flights.get(key);
    if (tally) tally[flight ? 'shared' : 'worker']++;
    if (!flight) {
      const controller = new AbortController();
      const attributes = { 'factorial.n': n, 'factorial.representation': kind === 'value' ? 'value' : 'prime_exponents' };
      const task: WorkerTask = { kind, n };
      const promise = runInSpan(this.options.pool, 'factorial.compute', attributes, task, { signal: controller.signal }).then((result) => {
        this.cache.set(key, result, result.byteLength);
        return result;
      });
      const created: Flight = { promise, controller, waiters: 0, settled: false };
      const forget = (): void => {
        created.settled = true;
        if (this.flights.get(key) === created) this.flights.delete(key);
      };
      promise.then(forget, forget);
      this.flights.set(key, created);
      flight = created;
    }
    flight.waiters++;
    try {
      return await untilAborted(flight.promise, lifetime.signal);
    } finally {
      // The last caller to give up stops the computation (if it still runs).
      if (--flight.waiters === 0 && !flight.settled) flight.controller.abort();
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
