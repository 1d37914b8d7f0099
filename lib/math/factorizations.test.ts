// Digit counts, trailing zeros and prime powers from factorizations, against the numbers themselves, built by
// independent arithmetic (products one factor at a time, Pascal's triangle, BigInt's own base conversion).

import { pascalTriangle } from '../../harness/reference';
import { digitCountFromLog, log10WithBound, primePowers, trailingZeros } from './factorizations';
import { factorialPrimeExponents, netExponents } from './prime-powers';

/** The decimal digits of a positive BigInt, by its own conversion. */
const digitsOf = (value: bigint): number => value.toString().length;

describe('digitCountFromLog', () => {
  it('gives the digit count of every n! for n <= 5,000 exactly, or leaves it to exact arithmetic', () => {
    let factorial = 1n;
    // n!'s digits, kept by comparing with the next power of ten as n! grows.
    let digits = 1;
    let nextPower = 10n;
    const undecided: number[] = [];
    for (let n = 0; n <= 5000; n++) {
      if (n > 1) factorial *= BigInt(n);
      while (factorial >= nextPower) {
        nextPower *= 10n;
        digits++;
      }
      const fromLog = digitCountFromLog(factorialPrimeExponents(n));
      if (fromLog === undefined) undecided.push(n);
      else expect([n, fromLog]).toEqual([n, digits]);
    }
    // The logarithm decides all but those within its error bound of a power of ten: none below 5,000.
    expect(undecided).toEqual([]);
  });

  it('gives the digit count of every C(n, r) for n <= 400, leaving exact arithmetic only the binomials that are powers of ten', () => {
    const triangle = pascalTriangle(400);
    const exponentsOf = Array.from({ length: 401 }, (_, n) => factorialPrimeExponents(n));
    const isPowerOfTen = (value: bigint): boolean => /^10*$/.test(value.toString());
    const undecided: bigint[] = [];
    for (let n = 0; n <= 400; n++) {
      for (let r = 0; r <= n; r++) {
        const fromLog = digitCountFromLog(netExponents([exponentsOf[n]!], [exponentsOf[r]!, exponentsOf[n - r]!]));
        if (fromLog === undefined) undecided.push(triangle[n]![r]!);
        else expect([n, r, fromLog]).toEqual([n, r, digitsOf(triangle[n]![r]!)]);
      }
    }
    // A power of ten's logarithm is an integer, which a floating-point sum cannot place on either side: those, and
    // only those (C(5, 2) = C(10, 1) = 10, C(100, 1) = 100, and their mirrors), go to exact arithmetic.
    expect(undecided.every(isPowerOfTen)).toBe(true);
    expect(undecided.length).toBe(triangle.flat().filter((value) => value > 1n && isPowerOfTen(value)).length);
  });

  it('never decides a power of ten, or its neighbours, from the logarithm alone', () => {
    // 10^k = 2^k 5^k: log10 is exactly k, which a floating-point sum lands on within its bound.
    for (const k of [1, 2, 3, 6, 20]) {
      const exponents = [k, 0, k];
      expect(digitCountFromLog(exponents)).toBeUndefined();
    }
    expect(log10WithBound([3, 0, 3]).bound).toBeGreaterThan(Math.abs(log10WithBound([3, 0, 3]).log10 - 3));
  });

  it('counts 1 (no prime at all) as one digit', () => {
    expect(digitCountFromLog([])).toBe(1);
    expect(digitCountFromLog([0, 0, 0])).toBe(1);
  });
});

describe('trailingZeros', () => {
  it('counts the trailing zeros of n! in every base from 2 to 36 as its base-b digits do, for n <= 200', () => {
    let factorial = 1n;
    for (let n = 0; n <= 200; n++) {
      if (n > 1) factorial *= BigInt(n);
      const exponents = factorialPrimeExponents(n);
      for (let base = 2; base <= 36; base++) {
        const written = factorial.toString(base);
        expect([n, base, trailingZeros(exponents, base)]).toEqual([n, base, written.length - written.replace(/0+$/, '').length]);
      }
    }
  });

  it('refuses a base outside 2 to 36', () => {
    expect(() => trailingZeros([1], 1)).toThrow('base must be an integer from 2 to 36, but got: 1');
    expect(() => trailingZeros([1], 37)).toThrow(RangeError);
  });
});

describe('primePowers', () => {
  it('lists the primes that occur, ascending, whose powers multiply to the number', () => {
    for (const [n, r] of [
      [100, 50],
      [30, 7],
      [1, 0],
    ] as const) {
      const powers = primePowers(netExponents([factorialPrimeExponents(n)], [factorialPrimeExponents(r), factorialPrimeExponents(n - r)]));
      expect(powers.every((power, i) => power.exponent > 0 && (i === 0 || power.prime > powers[i - 1]!.prime))).toBe(true);
      const product = powers.reduce((acc, { prime, exponent }) => acc * BigInt(prime) ** BigInt(exponent), 1n);
      expect(product).toBe(pascalTriangle(n)[n]![r]!);
    }
  });
});
