// The optional GMP addon (lib/math/native/gmp-bignum.c), when npm install could build it; BigInt otherwise.

import { projectPath } from '../config';

export interface NativeBignum {
  /** prod(primes[i] ** exponents[i]) in decimal; exponents are integers from 0 to 2^32 - 1, at most one per prime. */
  primePowersDecimal(primes: Uint32Array, exponents: Float64Array): string;
  /** An unsigned big-endian integer in decimal. */
  bytesDecimal(bytes: Uint8Array): string;
  /**
   * floor(dividend / prod(divisors)) in decimal, each an unsigned big-endian integer: the tutorial's way of
   * computing n choose r (three factorial values, then divide), for the ncr benchmark's like-for-like row.
   */
  bytesQuotientDecimal(dividend: Uint8Array, divisors: Uint8Array[]): string;
  /**
   * n! as unsigned big-endian bytes (0! = 1! = one byte, 0x01), in a fresh transferable buffer; n from 0 to 2^32 - 1,
   * bounded by the caller. GMP's mpz_fac_ui: for the ncr benchmark's fastest form of the tutorial's way. (The
   * factorial service keeps its own engine: a native call cannot be stopped when a deadline passes.)
   */
  factorialBytes(n: number): Uint8Array;
  /** n choose r in decimal with GMP's own mpz_bin_uiui: the floor bench/stack.ts compares a big ncr with. Bounded by the caller. */
  binomialDecimal(n: number, r: number): string;
  /** The GMP library's version. */
  gmpVersion: string;
}

/** Where scripts/build-native.js leaves the addon. */
export const NATIVE_ADDON_PATH = projectPath('lib/math/native/build/Release/gmp_bignum.node');

let addon: NativeBignum | null | undefined;

/** The addon, or undefined when it was not built (or could not load here). Loaded once per thread. */
export function nativeBignum(): NativeBignum | undefined {
  if (addon === undefined) {
    try {
      addon = require(NATIVE_ADDON_PATH) as NativeBignum;
    } catch {
      addon = null;
    }
  }
  return addon ?? undefined;
}

/** Which arithmetic big results use, for logs and benchmark reports. */
export function describeArithmetic(native: NativeBignum | undefined): string {
  return native ? `GMP ${native.gmpVersion} (the native addon)` : 'JavaScript BigInt (the GMP addon is not built or not used)';
}
