// The shared tier of the cache of answers: the entries of every replica, in Redis, behind Apollo's KeyValueCache
// interface. Keys are the SHA-256 of the in-process keys (an operation's text may be 100 KB); entries are written in a
// sealed format (gateway/src/redis/envelope.ts: version, length, digest), and checked when read back: one that is not what was written
// (garbage, truncated, written by another version) is ignored and counted, never served.

import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { createHash } from 'node:crypto';
import { seal, unseal, type Rejection } from '../redis';
import { Counter, type Registry } from 'prom-client';
import type { Entry } from './entries';

/**
 * The largest entry written to the shared tier: larger answers (nine 301,000-digit results in one operation, say)
 * stay in their replica's memory. Writing megabytes to Redis on every such answer would hold Redis, and the other
 * calls behind it (quotas among them), for little: answers that large are rarely asked for twice.
 */
export const MAX_SHARED_ENTRY_CHARS = 1024 * 1024;

/** The format of an entry; another version's entries are not read. */
export const ENTRY_FORMAT = 'ncr-answers/1';

/** An entry as text, sealed (gateway/src/redis/envelope.ts): its kind, when it was kept and its policy in the header. */
export function encodeEntry(entry: Entry): string {
  const payload = entry.kind === 'graphql' ? entry.body.toString('utf8') : entry.kind === 'rest' ? entry.digits : entry.documentId;
  const fields: Record<string, unknown> = { k: entry.kind };
  if (entry.kind !== 'alias') Object.assign(fields, { s: entry.storedAt, c: entry.cacheControl });
  if (entry.kind === 'graphql') fields.m = entry.maxAgeSeconds;
  return seal(ENTRY_FORMAT, fields, payload);
}

/** The entry an encoded text holds, or why it holds none. */
export function decodeEntry(text: string): Entry | { rejected: Rejection } {
  const opened = unseal(text, ENTRY_FORMAT);
  if ('rejected' in opened) return opened;
  const { k, s, c, m } = opened.fields;
  const payload = opened.payload;
  const timed = typeof s === 'number' && typeof c === 'string';
  switch (k) {
    case 'alias':
      return { kind: 'alias', documentId: payload };
    case 'rest':
      return timed ? { kind: 'rest', digits: payload, cacheControl: c, storedAt: s } : { rejected: 'format' };
    case 'graphql':
      return timed && typeof m === 'number'
        ? { kind: 'graphql', body: Buffer.from(payload, 'utf8'), cacheControl: c, maxAgeSeconds: m, storedAt: s }
        : { rejected: 'format' };
    default:
      return { rejected: 'format' };
  }
}

/** The shared tier: reads check every entry, writes go out without holding the request up. */
export class SharedTier {
  private readonly rejected?: Counter<'reason'>;
  /** The supergraph's id: part of every key, so that a new supergraph never reads the old one's answers. */
  private generation = '';

  constructor(
    private readonly cache: KeyValueCache<string>,
    registry?: Registry,
  ) {
    if (registry) {
      this.rejected = new Counter({
        name: 'cache_entries_rejected_total',
        help: 'Entries read back from the shared cache that were not what was written (format, version, truncated, digest): ignored, never served.',
        labelNames: ['reason'],
        registers: [registry],
      });
    }
  }

  /** Keys from now on belong to the supergraph `id`. */
  useGeneration(id: string): void {
    this.generation = id;
  }

  /** The entry under the in-process `key`, if the shared tier holds a sound one. */
  async get(key: string): Promise<Entry | undefined> {
    const text = await this.cache.get(sharedKey(`${this.generation}:${key}`));
    if (text === undefined) return undefined;
    const entry = decodeEntry(text);
    if ('rejected' in entry) {
      this.rejected?.inc({ reason: entry.rejected });
      return undefined;
    }
    return entry;
  }

  /** Stores an entry for `ttlSeconds` (absent: until evicted), without waiting: a failure is counted by the cache. */
  put(key: string, entry: Entry, ttlSeconds?: number): void {
    if ((entry.kind === 'graphql' ? entry.body.length : entry.kind === 'rest' ? entry.digits.length : 0) > MAX_SHARED_ENTRY_CHARS) return;
    void this.cache.set(
      sharedKey(`${this.generation}:${key}`),
      encodeEntry(entry),
      ttlSeconds === undefined ? undefined : { ttl: ttlSeconds },
    );
  }
}

/** The shared tier's key for an in-process key: its SHA-256 (keys hold operation texts and variables). */
export function sharedKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}
