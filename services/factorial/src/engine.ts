// The factorial engine: n! as bytes and as prime exponents, and the size of each, with no I/O.

import { bigintToBytes } from '../../../lib/math/bytes';
import { factorialBits } from '../../../lib/math/estimate';
import { factorial, factorialPrimeExponents } from '../../../lib/math/prime-powers';
import { primesUpTo } from '../../../lib/math/primes';

/** n! as unsigned big-endian bytes (a fresh, transferable buffer). */
export function factorialValue(n: number): Uint8Array {
  return bigintToBytes(factorial(n));
}

/** The exponent of each prime <= n in n!, in prime order. */
export function factorialExponents(n: number): Uint32Array {
  return factorialPrimeExponents(n);
}

/** Bytes that n! takes as a value (within a byte or two). */
export function valueBytes(n: number): number {
  return Math.ceil(factorialBits(n) / 8);
}

/** Bytes that the prime exponents of n! take on the wire (at most 5 per packed varint; ~2 in practice). */
export function exponentBytes(n: number): number {
  return primesUpTo(n).length * 3;
}

/** Sieves primes up to maxN now, so that no request pays for it later. */
export function warmUp(maxN: number): void {
  primesUpTo(maxN);
}
