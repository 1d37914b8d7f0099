// Sizes of factorials and their ratios estimated in constant time (Stirling), for limits and planning.

const LN2 = Math.LN2;
const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln(n!) by Stirling's series; exact to ~1e-10 relative for every n >= 0 (0 for n = 0 and 1). */
export function lnFactorial(n: number): number {
  if (n < 2) return 0;
  if (n < 16) {
    let sum = 0;
    for (let k = 2; k <= n; k++) sum += Math.log(k);
    return sum;
  }
  return n * Math.log(n) - n + 0.5 * Math.log(n) + HALF_LN_2PI + 1 / (12 * n) - 1 / (360 * n ** 3);
}

/** Bits in n!, rounded up (an estimate good to a bit or two). */
export function factorialBits(n: number): number {
  return Math.ceil(lnFactorial(n) / LN2) + 1;
}

/** Decimal digits of prod(numerators!) / prod(denominators!), estimated from logarithms (+1 for safety). */
export function ratioDigits(numerators: readonly number[], denominators: readonly number[]): number {
  let ln = 0;
  for (const n of numerators) ln += lnFactorial(n);
  for (const d of denominators) ln -= lnFactorial(d);
  return Math.max(1, Math.floor(ln / Math.LN10) + 2);
}
