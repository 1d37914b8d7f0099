// The exact-math core checked against independent slow implementations and known facts.

import fc from 'fast-check';
import { bigintToBytes, bytesToBigint } from './bytes';
import { factorialBits, lnFactorial, ratioDigits } from './estimate';
import { factorial, factorialPrimeExponents, productOfPrimePowers, ratioOfFactorialExponents } from './prime-powers';
import { primesUpTo } from './primes';
import { productOfBigInts, productOfRange } from './product-tree';

/** The independent reference: one multiplication at a time. */
function slowFactorial(n: number): bigint {
  let result = 1n;
  for (let k = 2n; k <= BigInt(n); k++) result *= k;
  return result;
}

/** n! mod p with Numbers only, sharing no code with the engine. */
function factorialModP(n: number, p: number): bigint {
  let r = 1n;
  const P = BigInt(p);
  for (let k = 2; k <= n; k++) r = (r * BigInt(k)) % P;
  return r;
}

function isPrimeByTrialDivision(k: number): boolean {
  if (k < 2) return false;
  for (let d = 2; d * d <= k; d++) if (k % d === 0) return false;
  return true;
}

describe('primes', () => {
  it('lists exactly the primes up to the bound, by trial division', () => {
    const expected = Array.from({ length: 5000 }, (_, k) => k).filter(isPrimeByTrialDivision);
    expect(Array.from(primesUpTo(4999))).toEqual(expected);
  });

  it('counts 78,498 primes below one million', () => {
    expect(primesUpTo(1_000_000).length).toBe(78_498);
  });

  it('answers smaller bounds after growing', () => {
    primesUpTo(100_000);
    expect(Array.from(primesUpTo(10))).toEqual([2, 3, 5, 7]);
    expect(primesUpTo(1).length).toBe(0);
  });
});

describe('factorial', () => {
  it('equals the one-at-a-time product for every n from 0 to 1000', () => {
    let expected = 1n;
    for (let n = 0; n <= 1000; n++) {
      if (n > 1) expected *= BigInt(n);
      expect(factorial(n)).toBe(expected);
    }
  });

  it.each([
    [10_000, 35_660, 2_499],
    [100_000, 456_574, 24_999],
  ])('has the known digit count and trailing zeros for n = %i', (n, digits, zeros) => {
    const decimal = factorial(n).toString();
    expect(decimal.length).toBe(digits);
    expect(decimal.length - decimal.replace(/0+$/, '').length).toBe(zeros);
  });

  it('matches n! mod large primes, computed by a plain loop, for n = 200,000', () => {
    const value = factorial(200_000);
    for (const p of [1_000_000_007, 998_244_353, 2_147_483_647]) {
      expect(value % BigInt(p)).toBe(factorialModP(200_000, p));
    }
  });

  it('has the leading digits Stirling predicts for n = 100,000', () => {
    const log10 = lnFactorial(100_000) / Math.LN10;
    const leading = Math.floor(10 ** (log10 - Math.floor(log10) + 5));
    expect(factorial(100_000).toString().slice(0, 6)).toBe(String(leading));
  });

  it('agrees with the plain product tree for n = 1,000,000', () => {
    expect(factorial(1_000_000) === productOfRange(1, 1_000_000)).toBe(true);
  });

  it('satisfies (n+1)! = (n+1) * n! for any n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), (n) => factorial(n + 1) === BigInt(n + 1) * factorial(n)),
      { numRuns: 200 },
    );
  });
});

describe('prime exponents', () => {
  it('gives 10! = 2^8 3^4 5^2 7', () => {
    expect(Array.from(factorialPrimeExponents(10))).toEqual([8, 4, 2, 1]);
  });

  it('gives the exponents of 100! worked out by hand with Legendre', () => {
    const e = factorialPrimeExponents(100);
    // 2: 50+25+12+6+3+1; 3: 33+11+3+1; 5: 20+4; 7: 14+2; 97: 1.
    expect([e[0], e[1], e[2], e[3], e[e.length - 1]]).toEqual([97, 48, 24, 16, 1]);
    expect(e.length).toBe(25);
  });

  it('multiply back to n! for any n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), (n) => productOfPrimePowers(factorialPrimeExponents(n)) === slowFactorial(n)),
      { numRuns: 50 },
    );
  });

  it('give binomials as ratios: C(n, r) r! (n-r)! = n!', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.nat(), (n, seed) => {
        const r = seed % (n + 1);
        const c = ratioOfFactorialExponents([factorialPrimeExponents(n)], [factorialPrimeExponents(r), factorialPrimeExponents(n - r)]);
        return c * slowFactorial(r) * slowFactorial(n - r) === slowFactorial(n);
      }),
      { numRuns: 100 },
    );
  });

  it('refuse a ratio that is not an integer', () => {
    expect(() => ratioOfFactorialExponents([factorialPrimeExponents(3)], [factorialPrimeExponents(4)])).toThrow('not an integer');
  });
});

describe('bytes', () => {
  it('writes 0! and 1! as the single byte 0x01, and 256 as 0x01 0x00', () => {
    expect(Array.from(bigintToBytes(factorial(0)))).toEqual([1]);
    expect(Array.from(bigintToBytes(factorial(1)))).toEqual([1]);
    expect(Array.from(bigintToBytes(256n))).toEqual([1, 0]);
  });

  it('round-trips any non-negative integer', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 1n << 4096n }), (v) => bytesToBigint(bigintToBytes(v)) === v));
  });

  it('round-trips 10^5! and returns an unpooled buffer of its own', () => {
    const value = factorial(100_000);
    const bytes = bigintToBytes(value);
    expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
    expect(bytesToBigint(bytes)).toBe(value);
  });
});

describe('estimates', () => {
  it('give the bit length of n! within two bits', () => {
    for (const n of [0, 1, 5, 17, 100, 1000, 12345]) {
      const exact = factorial(n).toString(2).length;
      expect(Math.abs(factorialBits(n) - exact)).toBeLessThanOrEqual(2);
    }
  });

  it('never underestimate the digits of a ratio', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1500 }), fc.nat(), (n, seed) => {
        const r = seed % (n + 1);
        const exact = (slowFactorial(n) / (slowFactorial(r) * slowFactorial(n - r))).toString().length;
        const estimate = ratioDigits([n], [r, n - r]);
        return estimate >= exact && estimate <= exact + 2;
      }),
      { numRuns: 100 },
    );
  });

  it('multiplies an empty list to 1', () => {
    expect(productOfBigInts([])).toBe(1n);
  });
});
