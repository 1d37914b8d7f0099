// A per-request DataLoader for factorials: every key asked for in one tick goes out in one BatchGetFactorials call.

import type { FactorialMessage } from '../contract';
import { replyBytes, type GetFactorialRequest, type Representation } from '../contract';

export type FetchBatch = (requests: GetFactorialRequest[]) => Promise<FactorialMessage[]>;

export interface FactorialLoaderOptions {
  /** Estimated reply bytes per call; a larger batch is split. */
  maxReplyBytes: number;
  /** Keys per call; a larger batch is split. */
  maxBatchSize: number;
  /**
   * Distinct factorials one request may load; the load that goes over refuses the request whole, with the error
   * `tooMany` makes (the caller's kind of error). Default: no limit.
   */
  maxKeys?: { limit: number; tooMany: (limit: number) => unknown };
}

interface Batch {
  keys: GetFactorialRequest[];
  waiters: Map<string, { resolve: (f: FactorialMessage) => void; reject: (e: unknown) => void }>;
}

/**
 * Collects load() calls made in the same tick into one batch, de-duplicated, cached for the
 * life of the request. Why the scheduling: resolvers of sibling fields run one after the
 * other in a single tick, and each calls load() before its first await; dispatching after
 * the pending promise jobs (as DataLoader does) sees them all, so one operation costs one call.
 */
export class FactorialLoader {
  private readonly cache = new Map<string, Promise<FactorialMessage>>();
  private batch: Batch | undefined;
  private refusal: { error: unknown } | undefined;

  constructor(
    private readonly fetchBatch: FetchBatch,
    private readonly options: FactorialLoaderOptions,
  ) {}

  /** n! in the given representation, batched with every other load of this tick. */
  load(n: number, representation: Representation): Promise<FactorialMessage> {
    if (this.refusal) return Promise.reject(this.refusal.error);
    const key = `${representation}:${n}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    if (this.options.maxKeys && this.cache.size >= this.options.maxKeys.limit) {
      this.refuse(this.options.maxKeys.tooMany(this.options.maxKeys.limit));
      return Promise.reject(this.refusal!.error);
    }
    const batch = this.currentBatch();
    const promise = new Promise<FactorialMessage>((resolve, reject) => {
      batch.keys.push({ n, representation });
      batch.waiters.set(key, { resolve, reject });
    });
    this.cache.set(key, promise);
    return promise;
  }

  /** Distinct factorials loaded so far. */
  get size(): number {
    return this.cache.size;
  }

  /** Fails every load not yet sent with `error`, and every later one: the request was refused as a whole. */
  refuse(error: unknown): void {
    if (this.refusal) return;
    this.refusal = { error };
    const batch = this.batch;
    this.batch = undefined;
    for (const waiter of batch?.waiters.values() ?? []) waiter.reject(error);
  }

  private currentBatch(): Batch {
    if (this.batch) return this.batch;
    const batch: Batch = { keys: [], waiters: new Map() };
    this.batch = batch;
    // After the current promise jobs, then on the next tick: the same moment DataLoader picks.
    void Promise.resolve().then(() =>
      process.nextTick(() => {
        if (this.batch !== batch) return; // refused meanwhile
        this.batch = undefined;
        this.dispatch(batch);
      }),
    );
    return batch;
  }

  private dispatch(batch: Batch): void {
    for (const keys of this.split(batch.keys)) {
      this.fetchBatch(keys).then(
        (factorials) => {
          keys.forEach((request, i) => {
            const factorial = factorials[i];
            const waiter = batch.waiters.get(`${request.representation}:${request.n}`)!;
            if (factorial && factorial.n === request.n) waiter.resolve(factorial);
            else
              waiter.reject(new Error(`BatchGetFactorials answered out of order: expected n = ${request.n}, got ${String(factorial?.n)}`));
          });
        },
        (error: unknown) => {
          for (const request of keys) batch.waiters.get(`${request.representation}:${request.n}`)!.reject(error);
        },
      );
    }
  }

  /** Chunks within both the key and the reply-size limits (one chunk in all but extreme cases). */
  private split(keys: GetFactorialRequest[]): GetFactorialRequest[][] {
    const chunks: GetFactorialRequest[][] = [];
    let chunk: GetFactorialRequest[] = [];
    let bytes = 0;
    for (const key of keys) {
      const size = replyBytes(key);
      if (chunk.length > 0 && (chunk.length >= this.options.maxBatchSize || bytes + size > this.options.maxReplyBytes)) {
        chunks.push(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(key);
      bytes += size;
    }
    if (chunk.length > 0) chunks.push(chunk);
    return chunks;
  }
}
