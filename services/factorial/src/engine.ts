// The factorial engine: n! as bytes and as prime exponents, with no I/O.

import { bigintToBytes, factorial, factorialPrimeExponents, primesUpTo } from '../../../lib/math';

/** n! as unsigned big-endian bytes (a fresh, transferable buffer). */
export function factorialValue(n: number): Uint8Array {
  return bigintToBytes(factorial(n));
}

/** The exponent of each prime <= n in n!, in prime order. */
export function factorialExponents(n: number): Uint32Array {
  return factorialPrimeExponents(n);
}

/** Sieves primes up to maxN now, so that no request pays for it later. */
export function warmUp(maxN: number): void {
  primesUpTo(maxN);
}
