// How anything this gateway writes to Redis is written, so that what is read back can be checked before it is used:
// a one-line JSON header naming the format and version, the payload's length and MD5 (an integrity check, not a
// secret), and fields of the caller's; then the payload. One that is not what was written (garbage, truncated,
// another version, a changed byte) is rejected with the reason, never used.

import { createHash } from 'node:crypto';

/** Why something read back was not used. */
export type Rejection = 'format' | 'version' | 'truncated' | 'digest';

const digest = (text: string): string => createHash('md5').update(text).digest('base64');

/** `payload` behind a header of `format` and `fields`. */
export function seal(format: string, fields: Record<string, unknown>, payload: string): string {
  return `${JSON.stringify({ ...fields, f: format, n: payload.length, h: digest(payload) })}\n${payload}`;
}

/** The header fields and payload of a sealed text of `format`, or why it is not one. */
export function unseal(text: string, format: string): { fields: Record<string, unknown>; payload: string } | { rejected: Rejection } {
  const newline = text.indexOf('\n');
  let header: unknown;
  try {
    header = newline < 0 ? undefined : JSON.parse(text.slice(0, newline));
  } catch {
    return { rejected: 'format' };
  }
  if (typeof header !== 'object' || header === null || typeof (header as { f?: unknown }).f !== 'string') return { rejected: 'format' };
  const { f, n, h, ...fields } = header as { f: string; n?: unknown; h?: unknown };
  if (f !== format) return { rejected: 'version' };
  const payload = text.slice(newline + 1);
  if (payload.length !== n) return { rejected: 'truncated' };
  if (digest(payload) !== h) return { rejected: 'digest' };
  return { fields, payload };
}
