// Checks of the arguments every subgraph takes (factorial arguments, pairs n and r), before any work: each says what
// it expected and what arrived, as BAD_USER_INPUT.

import { badInput } from './api-error';

/** A value as a client sent it, short: a string is shown quoted ("5", not 5). */
export function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value)?.slice(0, 40) ?? String(value));
}

/**
 * Throws BAD_USER_INPUT unless `value` is an integer from 0 to `maxN` (MAX_N). It takes unknown, not number: an
 * entity representation's fields can be anything JSON holds.
 */
export function checkCount(name: string, value: unknown, maxN: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw badInput(`${name} must be a non-negative integer (got ${name} = ${shown(value)})`);
  }
  if (value > maxN) throw badInput(`${name} must be at most ${maxN} (MAX_N) (got ${name} = ${value})`);
}

/** Throws BAD_USER_INPUT unless n and r are counts up to `maxN` with r <= n. */
export function checkPair(n: unknown, r: unknown, maxN: number): asserts n is number {
  checkCount('n', n, maxN);
  checkCount('r', r, maxN);
  if ((r as number) > n) throw badInput(`r must be at most n (got n = ${n}, r = ${String(r)})`);
}

/** The refusal of an operation that needs more distinct factorials than one operation may (MAX_OPERATION_FACTORIALS). */
export function tooManyFactorials(limit: number): Error {
  return badInput(`the operation needs more than ${limit} distinct factorials, the limit (MAX_OPERATION_FACTORIALS)`);
}
