// Products of many factors as balanced binary trees, so that big multiplications meet equal-sized operands.

const SAFE = Number.MAX_SAFE_INTEGER;

/** The product of a list of BigInts, multiplied pairwise as a balanced tree (1n for an empty list). */
export function productOfBigInts(factors: bigint[]): bigint {
  if (factors.length === 0) return 1n;
  // Level by level, in place: each pass halves the list.
  let level = factors.slice();
  while (level.length > 1) {
    const next: bigint[] = new Array<bigint>((level.length + 1) >>> 1);
    for (let i = 0, j = 0; i < level.length; i += 2, j++) {
      next[j] = i + 1 < level.length ? level[i]! * level[i + 1]! : level[i]!;
    }
    level = next;
  }
  return level[0]!;
}

/**
 * The product of `count` positive integers read from `factors` (a typed array or list of numbers),
 * each below 2^26. Small factors are first packed into Numbers while the product stays exact
 * (below 2^53), which cuts the number of BigInt leaves several-fold.
 */
export function productOfSmall(factors: ArrayLike<number>, count = factors.length): bigint {
  const leaves: bigint[] = [];
  let acc = 1;
  for (let i = 0; i < count; i++) {
    const f = factors[i]!;
    if (acc * f > SAFE) {
      leaves.push(BigInt(acc));
      acc = f;
    } else {
      acc *= f;
    }
  }
  if (acc !== 1 || leaves.length === 0) leaves.push(BigInt(acc));
  return productOfBigInts(leaves);
}

/** lo * (lo+1) * ... * hi as a product tree: the plain "product tree" factorial, used as a baseline. */
export function productOfRange(lo: number, hi: number): bigint {
  if (hi < lo) return 1n;
  const count = hi - lo + 1;
  const range = new Float64Array(count);
  for (let i = 0; i < count; i++) range[i] = lo + i;
  return productOfSmall(range, count);
}
