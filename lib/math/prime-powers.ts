// Exact factorials and ratios of factorials from prime-exponent vectors (Legendre's formula).

import type { NativeBignum } from './native';
import { primesUpTo } from './primes';
import { productOfSmall } from './product-tree';

/**
 * The exponent of every prime p <= n in n!, by Legendre's formula: e_p = sum_k floor(n / p^k).
 * Index i holds the exponent of the i-th prime (2, 3, 5, ...); the length is pi(n).
 */
export function factorialPrimeExponents(n: number): Uint32Array {
  assertCount(n, 'n');
  const primes = primesUpTo(n);
  const exponents = new Uint32Array(primes.length);
  for (let i = 0; i < primes.length; i++) {
    const p = primes[i]!;
    let e = 0;
    for (let q = Math.floor(n / p); q > 0; q = Math.floor(q / p)) e += q;
    exponents[i] = e;
  }
  return exponents;
}

/**
 * The product of prime^exponent over a prime-exponent vector (index i: the i-th prime).
 *
 * Why this shape: the odd part is built by exponent-bit grouping, from the top bit down,
 * result = result^2 * (product of the primes whose exponent has this bit set), so that the
 * big multiplications meet operands of similar size instead of one small factor at a time;
 * the power of two is a final shift, which costs nothing beside a multiplication.
 */
export function productOfPrimePowers(exponents: ArrayLike<number>): bigint {
  const primes = primesUpTo(largestPrimeNeeded(exponents));
  // The odd primes that occur, once: a ratio with a small result (C(10^6, 1)) has a handful among 78,498, and
  // each bit below scans only them.
  const present: number[] = [];
  let maxOdd = 0;
  for (let i = 1; i < exponents.length; i++) {
    const e = exponents[i]!;
    if (e > 0) {
      present.push(i);
      if (e > maxOdd) maxOdd = e;
    }
  }
  const group = new Float64Array(present.length);
  let result = 1n;
  for (let bit = maxOdd > 0 ? 31 - Math.clz32(maxOdd) : -1; bit >= 0; bit--) {
    // The primes whose exponent has this bit set.
    let count = 0;
    for (const i of present) {
      if ((exponents[i]! >>> bit) & 1) group[count++] = primes[i]!;
    }
    const groupProduct = count > 0 ? productOfSmall(group, count) : 1n;
    // r * (r * g) rather than r^2 * g: V8 multiplies unbalanced operands in chunks of the
    // smaller one, so meeting g with r (not r^2) halves the costliest multiplication.
    result = result === 1n ? groupProduct : result * (result * groupProduct);
  }
  const twos = exponents.length > 0 ? exponents[0]! : 0;
  return twos > 0 ? result << BigInt(twos) : result;
}

/** n! exactly. */
export function factorial(n: number): bigint {
  return productOfPrimePowers(factorialPrimeExponents(n));
}

/**
 * prod(numerators[i]!) / prod(denominators[j]!) for factorial arguments whose ratio is an
 * integer (binomials, multinomials, falling factorials, Catalan numbers), from their
 * prime-exponent vectors. Throws if the ratio is not an integer.
 */
export function ratioOfFactorialExponents(numerators: ArrayLike<number>[], denominators: ArrayLike<number>[]): bigint {
  return productOfPrimePowers(netExponents(numerators, denominators));
}

/**
 * The same ratio in decimal: with the GMP addon when one is given (lib/math/native.ts), else BigInt. Both
 * give the same digits; the addon is several times faster at a million digits.
 */
export function ratioOfFactorialExponentsDecimal(
  numerators: ArrayLike<number>[],
  denominators: ArrayLike<number>[],
  native?: NativeBignum,
): string {
  const net = netExponents(numerators, denominators);
  if (!native) return productOfPrimePowers(net).toString();
  return native.primePowersDecimal(primesUpTo(largestPrimeNeeded(net)), net);
}

/** numerators minus denominators, prime by prime (index i: the i-th prime); throws if the ratio is not an integer. */
export function netExponents(numerators: ArrayLike<number>[], denominators: ArrayLike<number>[]): Float64Array {
  let length = 0;
  for (const e of numerators) length = Math.max(length, e.length);
  const net = new Float64Array(length);
  for (const e of numerators) for (let i = 0; i < e.length; i++) net[i] = net[i]! + e[i]!;
  for (const e of denominators) {
    if (e.length > length) throw new RangeError('the ratio of factorials is not an integer');
    for (let i = 0; i < e.length; i++) net[i] = net[i]! - e[i]!;
  }
  for (let i = 0; i < length; i++) {
    if (net[i]! < 0) throw new RangeError('the ratio of factorials is not an integer');
  }
  return net;
}

function largestPrimeNeeded(exponents: ArrayLike<number>): number {
  // The length of the vector says how many primes it covers; sieve until there are that many.
  let bound = 16;
  while (primesUpTo(bound).length < exponents.length) bound *= 2;
  return bound;
}

function assertCount(n: number, name: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${name} must be a non-negative integer, but got: ${String(n)}`);
  }
}
