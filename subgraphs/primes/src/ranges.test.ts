// The primes of a range, against trial division; the constant-time bound, against the count it bounds.

import { primesBetween, primesBetweenAtMost } from './ranges';

const isPrime = (k: number): boolean => {
  if (k < 2) return false;
  for (let d = 2; d * d <= k; d++) if (k % d === 0) return false;
  return true;
};

describe('primesBetween', () => {
  it('gives the primes of a range as trial division does, ends included', () => {
    for (const [from, to] of [
      [0, 100],
      [2, 2],
      [14, 16],
      [90, 130],
      [999_900, 1_000_100],
      [2_147_483_000, 2_147_483_647],
    ] as const) {
      const expected: number[] = [];
      for (let k = from; k <= to; k++) if (isPrime(k)) expected.push(k);
      expect(primesBetween(from, to)).toEqual(expected);
    }
  });

  it('is never above the bound checked before the work', () => {
    for (const [from, to] of [
      [0, 0],
      [0, 1],
      [2, 3],
      [0, 10],
      [0, 1000],
      [0, 1_000_000],
      [1_000_000, 2_000_000],
      [7, 7],
    ] as const) {
      expect(primesBetween(from, to).length).toBeLessThanOrEqual(primesBetweenAtMost(from, to));
    }
    expect(primesBetweenAtMost(0, 1_000_000)).toBeLessThan(200_000);
  });
});
