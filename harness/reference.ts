// Independent reference implementations for checking exact results: no code shared with lib/math.

/** Rows 0..maxN of Pascal's triangle, built by addition only. */
export function pascalTriangle(maxN: number): bigint[][] {
  const rows: bigint[][] = [[1n]];
  for (let n = 1; n <= maxN; n++) {
    const prev = rows[n - 1]!;
    const row: bigint[] = [1n];
    for (let r = 1; r < n; r++) row.push(prev[r - 1]! + prev[r]!);
    row.push(1n);
    rows.push(row);
  }
  return rows;
}

/** n! by one multiplication at a time. */
export function slowFactorial(n: number): bigint {
  let r = 1n;
  for (let k = 2n; k <= BigInt(n); k++) r *= k;
  return r;
}

/** n * (n-1) * ... * (n-r+1). */
export function fallingFactorial(n: number, r: number): bigint {
  let p = 1n;
  for (let k = 0; k < r; k++) p *= BigInt(n - k);
  return p;
}

/** C(n, r) by the multiplicative formula, exact at every step. */
export function binomial(n: number, r: number): bigint {
  let c = 1n;
  const k = Math.min(r, n - r);
  for (let i = 1; i <= k; i++) c = (c * BigInt(n - k + i)) / BigInt(i);
  return c;
}

/** C(n, r) mod a prime p > n, from factorials mod p and Fermat inverses. */
export function binomialModPrime(n: number, r: number, p: bigint): bigint {
  const factMod = (m: number): bigint => {
    let f = 1n;
    for (let k = 2n; k <= BigInt(m); k++) f = (f * k) % p;
    return f;
  };
  const power = (base: bigint, exp: bigint): bigint => {
    let result = 1n;
    let b = base % p;
    for (let e = exp; e > 0n; e >>= 1n) {
      if (e & 1n) result = (result * b) % p;
      b = (b * b) % p;
    }
    return result;
  };
  return (factMod(n) * power((factMod(r) * factMod(n - r)) % p, p - 2n)) % p;
}

/** The primes up to n, by the sieve of Eratosthenes. */
export function primesUpTo(n: number): number[] {
  const composite = new Uint8Array(n + 1);
  const primes: number[] = [];
  for (let i = 2; i <= n; i++) {
    if (composite[i]) continue;
    primes.push(i);
    for (let j = i * i; j <= n; j += i) composite[j] = 1;
  }
  return primes;
}

/** The exponent of the prime p in m!, by Legendre's formula. */
export function legendre(m: number, p: number): number {
  let e = 0;
  for (let q = Math.floor(m / p); q > 0; q = Math.floor(q / p)) e += q;
  return e;
}

/** C(n, r) as [prime, exponent] pairs with a non-zero exponent, primes ascending: Legendre's formula, three times. */
export function binomialPrimePowers(n: number, r: number): [number, number][] {
  return primesUpTo(n)
    .map((p): [number, number] => [p, legendre(n, p) - legendre(r, p) - legendre(n - r, p)])
    .filter(([, e]) => e > 0);
}

/** A decimal string's remainder modulo m (m below 2^49, so every step is exact in a double). */
export function decimalMod(digits: string, m: number): number {
  let rest = 0;
  for (let i = 0; i < digits.length; i++) rest = (rest * 10 + digits.charCodeAt(i) - 48) % m;
  return rest;
}
