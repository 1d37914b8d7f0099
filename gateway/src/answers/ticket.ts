// What a GraphQL request carries of the cache of answers (its ticket), and what its answer says of it (headers).

import type { Deadline } from '../../../lib/request';

/** The header that says whether an answer came from the cache (hit) or was computed (miss). */
export const CACHE_STATUS_HEADER = 'x-cache';

/** The header that says which tier a hit came from: this process's (memory) or every replica's (redis). */
export const CACHE_TIER_HEADER = 'x-cache-tier';

/** Where an answer was found. */
export type Tier = 'memory' | 'redis';

/** One GraphQL request's handle on the cache, made by the route and carried by its context. */
export class AnswerTicket {
  /** The answer's key, once the plugin looked it up. */
  key: string | undefined;
  /** Whether the answer came from the cache, and from which tier. */
  hit = false;
  tier: Tier | undefined;
  /** Set when the answer may be kept: its Cache-Control and lifetime. */
  keep: { cacheControl: string; maxAgeSeconds: number } | undefined;
  /** Set on the request that computes an answer others wait for: wakes them, once the answer is kept or not. */
  done: (() => void) | undefined;

  /** `deadline`: how long the request may wait for an identical request's answer. */
  constructor(readonly deadline: Deadline | undefined) {}
}

/** Whole seconds since an answer was kept. */
export function ageSeconds(answer: { storedAt: number }): number {
  return Math.floor((Date.now() - answer.storedAt) / 1000);
}
