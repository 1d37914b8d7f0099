// The primes of a range [from, to] of at most MAX_N + 1 numbers, by a segmented sieve: the primes up to sqrt(to) cross
// out their multiples in the range. No I/O.

import { primesUpTo } from '../../../lib/math';

/** The primes p with from <= p <= to, ascending. */
export function primesBetween(from: number, to: number): number[] {
  const low = Math.max(from, 2);
  if (to < low) return [];
  const composite = new Uint8Array(to - low + 1);
  for (const p of primesUpTo(Math.floor(Math.sqrt(to)))) {
    // The first multiple of p in the range that is not p itself.
    for (let m = Math.max(p * p, Math.ceil(low / p) * p); m <= to; m += p) composite[m - low] = 1;
  }
  const primes: number[] = [];
  for (let i = 0; i < composite.length; i++) if (!composite[i]) primes.push(low + i);
  return primes;
}

/**
 * At least as many as the primes p with from <= p <= to, in constant time (for a limit checked before any work):
 * π(x + y) - π(x) <= 2y / ln y for y >= 2 (Montgomery and Vaughan's form of the Brun-Titchmarsh theorem), and never
 * more than the numbers in the range.
 */
export function primesBetweenAtMost(from: number, to: number): number {
  const count = to - Math.max(from, 0) + 1;
  if (count <= 0) return 0;
  return count < 3 ? count : Math.min(count, Math.ceil((2 * count) / Math.log(count)));
}
