// The cache family: least-recently-used caches bounded by the bytes their entries take (lru-cache's maxSize).

import { LRUCache } from 'lru-cache';

/** What the project's caches need of lru-cache: get, set, clear, and the bytes held. */
export interface ByteCache<K, V> {
  get(key: K): V | undefined;
  /**
   * Stores the value unless its entry alone is larger than the cache allows; evicts the least recently used entries to
   * fit it. With `ttlMs`, the entry is dropped once it is that old.
   */
  set(key: K, value: V, ttlMs?: number): void;
  /** Drops the entry; whether there was one. */
  delete(key: K): boolean;
  clear(): void;
  /** The bytes held, by the cache's own measure. */
  readonly calculatedSize: number;
}

const NO_CACHE: ByteCache<never, never> = { get: () => undefined, set: () => {}, delete: () => false, clear: () => {}, calculatedSize: 0 };

export interface ByteCacheOptions<K, V> {
  /** The bytes an entry takes, its key included if the key is large. */
  sizeOf(value: V, key: K): number;
  /** The largest entry kept, in bytes. Default: maxBytes. */
  maxEntryBytes?: number;
}

/** A cache of at most `maxBytes` (sizes from `sizeOf`); 0 caches nothing. */
export function byteCache<K extends {}, V extends {}>(maxBytes: number, options: ByteCacheOptions<K, V>): ByteCache<K, V> {
  if (maxBytes <= 0) return NO_CACHE as ByteCache<K, V>;
  const cache = new LRUCache<K, V>({
    maxSize: maxBytes,
    maxEntrySize: Math.min(maxBytes, options.maxEntryBytes ?? maxBytes),
    // An entry takes at least a byte: lru-cache refuses a size of 0.
    sizeCalculation: (value, key) => Math.max(1, options.sizeOf(value, key)),
  });
  return {
    get: (key) => cache.get(key),
    set: (key, value, ttlMs) => void cache.set(key, value, ttlMs === undefined ? undefined : { ttl: ttlMs }),
    delete: (key) => cache.delete(key),
    clear: () => cache.clear(),
    get calculatedSize() {
      return cache.calculatedSize;
    },
  };
}
