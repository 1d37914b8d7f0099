// What a factorization tells without building its number: its prime powers, its trailing zeros in a base, and its
// number of decimal digits (from logarithms, with a proven error bound, or exactly where the bound cannot decide).

import { primesUpTo } from './primes';

/** A prime and its exponent. */
export interface PrimePower {
  prime: number;
  exponent: number;
}

/** The prime powers of a prime-exponent vector (index i: the i-th prime), those with a positive exponent, ascending. */
export function primePowers(exponents: ArrayLike<number>): PrimePower[] {
  const primes = primesUpTo(primeBound(exponents.length));
  const powers: PrimePower[] = [];
  for (let i = 0; i < exponents.length; i++) {
    const exponent = exponents[i]!;
    if (exponent > 0) powers.push({ prime: primes[i]!, exponent });
  }
  return powers;
}

/** The number of trailing zeros, in base `base` (2 to 36), of the integer with these prime exponents. */
export function trailingZeros(exponents: ArrayLike<number>, base: number): number {
  if (!Number.isInteger(base) || base < 2 || base > 36) throw new RangeError(`base must be an integer from 2 to 36, but got: ${base}`);
  const primes = primesUpTo(base);
  let zeros = Infinity;
  let rest = base;
  for (let i = 0; i < primes.length && rest > 1; i++) {
    const p = primes[i]!;
    let power = 0;
    while (rest % p === 0) {
      rest /= p;
      power++;
    }
    // b = ... p^power ...: each trailing zero takes p^power.
    if (power > 0) zeros = Math.min(zeros, Math.floor((exponents[i] ?? 0) / power));
  }
  return zeros;
}

/**
 * log10 of the integer with these prime exponents, and a bound on the error of that floating-point sum.
 *
 * Each term e·log10(p) is a product of an exact integer e and Math.log10(p), which V8 computes within one ulp; the
 * product adds half an ulp; the terms are summed with Neumaier's compensated summation, whose error is at most
 * 2u·S + O(k·u²·S) for k terms of total S (u = 2^-53). So the computed sum is within (3u + 2u + k·u²)·S of the true
 * value, under 6u·S = 2^-50.4·S for every vector this project handles (k < 10^6). The bound returned is 2^-40·S,
 * a thousand times wider: 5e-6 for log10(10^6!) = 5,565,708.9, far smaller than the distance from an integer that
 * all but a few in a million numbers keep.
 */
export function log10WithBound(exponents: ArrayLike<number>): { log10: number; bound: number } {
  const primes = primesUpTo(primeBound(exponents.length));
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < exponents.length; i++) {
    const e = exponents[i]!;
    if (e === 0) continue;
    const term = e * Math.log10(primes[i]!);
    const t = sum + term;
    compensation += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
  }
  const log10 = sum + compensation;
  return { log10, bound: Math.max(log10, 1) * 2 ** -40 };
}

/**
 * The number of decimal digits of the integer with these prime exponents, when the logarithm decides it: the integer
 * is 10^log10, and it has floor(log10) + 1 digits unless log10 is within its error bound of an integer, where a
 * power of ten may lie on either side. Then undefined: only exact arithmetic can tell.
 */
export function digitCountFromLog(exponents: ArrayLike<number>): number | undefined {
  const { log10, bound } = log10WithBound(exponents);
  // No prime at all: the integer is 1.
  if (log10 === 0) return 1;
  const nearest = Math.round(log10);
  if (Math.abs(log10 - nearest) <= bound) return undefined;
  return Math.floor(log10) + 1;
}

/** A bound above which the primes cover a vector of `count` exponents (the vector holds one per prime). */
function primeBound(count: number): number {
  let bound = 16;
  while (primesUpTo(bound).length < count) bound *= 2;
  return bound;
}
