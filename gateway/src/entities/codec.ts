// An entity answer as the shared tier keeps it: sealed (gateway/src/redis/envelope.ts) with when it was kept and for
// how long it may be. One read back that is not what was written is rejected, never served.

import { seal, unseal, type Rejection } from '../redis';

/** An entity answer: its JSON, when it was kept, and for how long it may be. */
export interface KeptEntity {
  readonly json: string;
  readonly storedAt: number;
  readonly maxAgeSeconds: number;
}

export const ENTITY_FORMAT = 'ncr-entity/1';

export function encodeEntity(entry: KeptEntity): string {
  return seal(ENTITY_FORMAT, { s: entry.storedAt, m: entry.maxAgeSeconds }, entry.json);
}

export function decodeEntity(text: string): KeptEntity | { rejected: Rejection } {
  const opened = unseal(text, ENTITY_FORMAT);
  if ('rejected' in opened) return opened;
  const { s, m } = opened.fields;
  return typeof s === 'number' && typeof m === 'number' ? { json: opened.payload, storedAt: s, maxAgeSeconds: m } : { rejected: 'format' };
}
