// Primes up to a bound, from a sieve of Eratosthenes that is cached and grown on demand.

let sieveLimit = 1;
let primeList = new Uint32Array(0);

/**
 * The primes p <= limit in increasing order. The returned array is shared and must not be
 * written to; it is a view of a cache that only ever grows.
 */
export function primesUpTo(limit: number): Uint32Array {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(`limit must be a non-negative safe integer, but got: ${String(limit)}`);
  }
  if (limit > sieveLimit) grow(Math.max(limit, sieveLimit * 2));
  return primeList.subarray(0, countPrimesUpTo(limit));
}

/** How many primes are <= limit (pi(limit)); limit must already be sieved. */
function countPrimesUpTo(limit: number): number {
  // Binary search for the first prime above the limit.
  let lo = 0;
  let hi = primeList.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (primeList[mid]! <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function grow(limit: number): void {
  // Odd-only sieve: index i stands for 2i + 1.
  const half = (limit >>> 1) + 1;
  const composite = new Uint8Array(half);
  for (let i = 1; (2 * i + 1) * (2 * i + 1) <= limit; i++) {
    if (composite[i]) continue;
    const p = 2 * i + 1;
    for (let j = (p * p) >>> 1; j < half; j += p) composite[j] = 1;
  }
  const found: number[] = limit >= 2 ? [2] : [];
  for (let i = 1; i < half; i++) {
    if (!composite[i] && 2 * i + 1 <= limit) found.push(2 * i + 1);
  }
  primeList = Uint32Array.from(found);
  sieveLimit = limit;
}
