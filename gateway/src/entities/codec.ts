// An entity answer as the shared tier keeps it: a versioned one-line header with the answer's length and digest, then
// its JSON. One read back that is not what was written is rejected, never served.

import { createHash } from 'node:crypto';

/** An entity answer: its JSON, when it was kept, and for how long it may be. */
export interface KeptEntity {
  readonly json: string;
  readonly storedAt: number;
  readonly maxAgeSeconds: number;
}

export const ENTITY_FORMAT = 'ncr-entity/1';

const digest = (text: string): string => createHash('md5').update(text).digest('base64');

export function encodeEntity(entry: KeptEntity): string {
  return `${JSON.stringify({ f: ENTITY_FORMAT, s: entry.storedAt, m: entry.maxAgeSeconds, n: entry.json.length, h: digest(entry.json) })}\n${entry.json}`;
}

export function decodeEntity(text: string): KeptEntity | { rejected: 'format' | 'version' | 'truncated' | 'digest' } {
  const newline = text.indexOf('\n');
  let header: { f?: unknown; s?: unknown; m?: unknown; n?: unknown; h?: unknown };
  try {
    header = newline < 0 ? {} : (JSON.parse(text.slice(0, newline)) as typeof header);
  } catch {
    return { rejected: 'format' };
  }
  if (typeof header !== 'object' || header === null || typeof header.f !== 'string') return { rejected: 'format' };
  if (header.f !== ENTITY_FORMAT) return { rejected: 'version' };
  const json = text.slice(newline + 1);
  if (json.length !== header.n) return { rejected: 'truncated' };
  if (digest(json) !== header.h) return { rejected: 'digest' };
  if (typeof header.s !== 'number' || typeof header.m !== 'number') return { rejected: 'format' };
  return { json, storedAt: header.s, maxAgeSeconds: header.m };
}
