// The cache family: least-recently-used caches bounded by the bytes their values take (lru-cache's maxSize).

import { LRUCache } from 'lru-cache';

/** What the project's caches need of lru-cache: get, set, and the bytes held. */
export interface ByteCache<K, V> {
  get(key: K): V | undefined;
  /** Stores the value unless it alone is larger than the cache; evicts the least recently used entries to fit it. */
  set(key: K, value: V): void;
  /** The bytes held, by the cache's own measure. */
  readonly calculatedSize: number;
}

const NO_CACHE: ByteCache<never, never> = { get: () => undefined, set: () => {}, calculatedSize: 0 };

/** A cache of at most `maxBytes` (sizes from `sizeOf`); 0 caches nothing. */
export function byteCache<K extends {}, V extends {}>(maxBytes: number, sizeOf: (value: V) => number): ByteCache<K, V> {
  if (maxBytes <= 0) return NO_CACHE as ByteCache<K, V>;
  // An entry takes at least a byte: lru-cache refuses a size of 0.
  return new LRUCache<K, V>({ maxSize: maxBytes, sizeCalculation: (value) => Math.max(1, sizeOf(value)) });
}
