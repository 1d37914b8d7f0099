// The optional GMP addon against BigInt and the independent references: the same digits, and clear errors.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import {
  bigintToBytes,
  factorial,
  factorialPrimeExponents,
  nativeBignum,
  primesUpTo,
  productOfPrimePowers,
  ratioOfFactorialExponentsDecimal,
} from '.';
import { binomial, slowFactorial } from '../../harness/reference';

const native = nativeBignum();
// What scripts/build-native.js needs besides the node-api-headers package: GMP's headers and a C compiler.
const canBuild =
  ['/usr/include/gmp.h', '/usr/include/x86_64-linux-gnu/gmp.h', '/usr/include/aarch64-linux-gnu/gmp.h'].some((f) => fs.existsSync(f)) &&
  (() => {
    try {
      execFileSync('cc', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

/** A deterministic pseudo-random sequence, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('native arithmetic (GMP addon)', () => {
  it("is built wherever a C compiler and GMP's headers are (npm install builds it)", () => {
    // BIGNUM_NATIVE=off (at install and here) skips it on purpose.
    if (canBuild && process.env.BIGNUM_NATIVE !== 'off') expect(native).toBeDefined();
    else if (!canBuild) expect(native).toBeUndefined();
  });

  (native ? describe : describe.skip)('with the addon', () => {
    const gmp = native!;

    it('multiplies prime powers as BigInt does, for random exponent vectors small and large', () => {
      const next = random(7);
      for (let trial = 0; trial < 200; trial++) {
        const length = Math.floor(next() * (trial < 150 ? 40 : 3000));
        const exponents = Float64Array.from({ length }, () => (next() < 0.3 ? 0 : Math.floor(next() ** 3 * 40)));
        const primes = primesUpTo(30_000);
        expect(gmp.primePowersDecimal(primes, exponents)).toBe(productOfPrimePowers(exponents).toString());
      }
    });

    it('gives n! from its prime exponents (exponents of many bits) as the one-at-a-time product does', () => {
      for (const n of [0, 1, 2, 3, 4, 10, 127, 128, 1000, 4099]) {
        const exponents = Float64Array.from(factorialPrimeExponents(n));
        expect(gmp.primePowersDecimal(primesUpTo(Math.max(n, 2)), exponents)).toBe(slowFactorial(n).toString());
      }
    });

    it('gives n choose r as the multiplicative formula does, n up to 200', () => {
      for (let n = 0; n <= 200; n += 7) {
        for (let r = 0; r <= n; r += 3) {
          const decimal = ratioOfFactorialExponentsDecimal(
            [factorialPrimeExponents(n)],
            [factorialPrimeExponents(r), factorialPrimeExponents(n - r)],
            gmp,
          );
          expect(decimal).toBe(binomial(n, r).toString());
        }
      }
    });

    it('gives C(10^6, 5*10^5), 301,027 digits, exactly as BigInt does', () => {
      const n = factorialPrimeExponents(1_000_000);
      const half = factorialPrimeExponents(500_000);
      const viaGmp = ratioOfFactorialExponentsDecimal([n], [half, half], gmp);
      expect(viaGmp).toHaveLength(301_027);
      expect(viaGmp).toBe(ratioOfFactorialExponentsDecimal([n], [half, half]));
    });

    it('converts unsigned big-endian bytes to decimal as BigInt does', () => {
      expect(gmp.bytesDecimal(new Uint8Array(0))).toBe('0');
      expect(gmp.bytesDecimal(Uint8Array.of(0, 0, 1, 0))).toBe('256');
      const big = slowFactorial(3000);
      expect(gmp.bytesDecimal(bigintToBytes(big))).toBe(big.toString());
      const next = random(11);
      for (let trial = 0; trial < 100; trial++) {
        const bytes = Uint8Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 256));
        const hex = Buffer.from(bytes).toString('hex');
        expect(gmp.bytesDecimal(bytes)).toBe(BigInt(`0x0${hex}`).toString());
      }
    });

    it("divides big-endian integers as BigInt does: the tutorial's way, three factorial values then divide", () => {
      const next = random(13);
      const randomBytes = (max: number) => Uint8Array.from({ length: Math.floor(next() * max) }, () => Math.floor(next() * 256));
      const value = (bytes: Uint8Array) => BigInt(`0x0${Buffer.from(bytes).toString('hex')}`);
      for (let trial = 0; trial < 100; trial++) {
        const dividend = randomBytes(400);
        const divisors = Array.from({ length: Math.floor(next() * 3) }, () => randomBytes(120)).filter((d) => value(d) > 0n);
        const quotient = divisors.reduce((q, d) => q / value(d), value(dividend));
        expect(gmp.bytesQuotientDecimal(dividend, divisors)).toBe(quotient.toString());
      }
      for (const [n, r] of [
        [0, 0],
        [300, 0],
        [300, 137],
        [2000, 999],
      ] as const) {
        const [fn, fr, fnr] = [n, r, n - r].map((k) => bigintToBytes(slowFactorial(k)));
        expect(gmp.bytesQuotientDecimal(fn!, [fr!, fnr!])).toBe(binomial(n, r).toString());
      }
    });

    it('gives n! as the bytes the engine gives, in a buffer of its own', () => {
      for (const n of [0, 1, 2, 5, 20, 21, 170, 171, 1000, 3001]) {
        const bytes = gmp.factorialBytes(n);
        expect(Buffer.from(bytes).equals(Buffer.from(bigintToBytes(slowFactorial(n))))).toBe(true);
        // Its own ArrayBuffer, which a worker thread can transfer.
        expect(bytes.byteOffset).toBe(0);
        expect(bytes.buffer.byteLength).toBe(bytes.length);
      }
      expect(Buffer.from(gmp.factorialBytes(100_000)).equals(Buffer.from(bigintToBytes(factorial(100_000))))).toBe(true);
    });

    it("gives n choose r with GMP's own binomial, as the reference gives it", () => {
      for (const [n, r] of [
        [0, 0],
        [1, 0],
        [1, 1],
        [10, 3],
        [64, 32],
        [171, 85],
        [1000, 1],
        [3001, 1500],
        [3001, 3001],
      ] as const) {
        expect(gmp.binomialDecimal(n, r)).toBe(binomial(n, r).toString());
      }
      for (const [n, r] of [
        [-1, 0],
        [5, 6],
        [5, -1],
        [5.5, 2],
        [5, 2.5],
        [NaN, 0],
        [2 ** 32, 1],
      ]) {
        expect(() => gmp.binomialDecimal(n!, r!)).toThrow(/integers 0 <= r <= n <= 2\^32 - 1/);
      }
    });

    it('refuses what it cannot compute exactly, with an error that says why', () => {
      const primes = primesUpTo(100);
      const call = (f: () => unknown) => () => f();
      expect(call(() => gmp.primePowersDecimal(primes, Float64Array.of(1, 0.5)))).toThrow(/integer from 0 to 2\^32 - 1/);
      expect(call(() => gmp.primePowersDecimal(primes, Float64Array.of(-1)))).toThrow(/integer from 0 to 2\^32 - 1/);
      expect(call(() => gmp.primePowersDecimal(primes, Float64Array.of(NaN)))).toThrow(/integer from 0 to 2\^32 - 1/);
      expect(call(() => gmp.primePowersDecimal(primes, Float64Array.of(2 ** 32)))).toThrow(/integer from 0 to 2\^32 - 1/);
      expect(call(() => gmp.primePowersDecimal(primes, new Float64Array(primes.length + 1)))).toThrow(/more exponents than primes/);
      expect(call(() => (gmp.primePowersDecimal as (...args: unknown[]) => string)([2, 3], [1, 1]))).toThrow(/Uint32Array/);
      expect(call(() => (gmp.bytesDecimal as (...args: unknown[]) => string)('12'))).toThrow(/Uint8Array/);
      expect(call(() => gmp.bytesQuotientDecimal(Uint8Array.of(5), [Uint8Array.of(2), new Uint8Array(0)]))).toThrow(/division by zero/);
      expect(call(() => (gmp.bytesQuotientDecimal as (...args: unknown[]) => string)(Uint8Array.of(5), [2]))).toThrow(/Uint8Array\[\]/);
      expect(call(() => (gmp.bytesQuotientDecimal as (...args: unknown[]) => string)(Uint8Array.of(5)))).toThrow(/Uint8Array\[\]/);
      for (const n of [-1, 0.5, NaN, 2 ** 32, '5']) {
        expect(call(() => gmp.factorialBytes(n as number))).toThrow(/integer n from 0 to 2\^32 - 1/);
      }
    });
  });
});
