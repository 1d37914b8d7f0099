// Where answers are kept: behind Apollo's KeyValueCache interface (get, set with a ttl in seconds, delete), so that a
// shared store can stand behind the in-process one. The in-process store is bounded by bytes, least recently used
// first, and keeps no entry above an eighth of its bound: one big answer never flushes all the others.

import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { byteCache } from '../../../lib/cache';
import { entryBytes, type Entry } from './entries';

/** A store of entries, in Apollo's KeyValueCache shape. */
export type AnswerStore = KeyValueCache<Entry>;

/** The largest entry kept, as a share of the store: one big answer never flushes all the others. */
const MAX_ENTRY_SHARE = 8;

/** The in-process store: `maxBytes` at most, keys and entries together. */
export class MemoryStore implements AnswerStore {
  private readonly entries;

  constructor(maxBytes: number) {
    this.entries = byteCache<string, Entry>(maxBytes, {
      sizeOf: (entry, key) => entryBytes(key, entry),
      maxEntryBytes: Math.floor(maxBytes / MAX_ENTRY_SHARE),
    });
  }

  /** The entry under `key`, now (the hot path's lookup: no promise). */
  peek(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  async get(key: string): Promise<Entry | undefined> {
    return this.entries.get(key);
  }

  async set(key: string, value: Entry, options?: KeyValueCacheSetOptions): Promise<void> {
    this.put(key, value, options?.ttl ?? undefined);
  }

  /** Stores now; `ttlSeconds` absent: kept until evicted. */
  put(key: string, value: Entry, ttlSeconds?: number): void {
    this.entries.set(key, value, ttlSeconds === undefined ? undefined : ttlSeconds * 1000);
  }

  async delete(key: string): Promise<boolean> {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** The bytes held, by the store's own measure. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }
}
