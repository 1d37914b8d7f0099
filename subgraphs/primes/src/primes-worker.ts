// Worker thread: the exact digit count of a factorization the logarithm could not decide (its number within the
// error bound of a power of ten), by building the number: with GMP when the addon is built, else BigInt.

import { nativeBignum, primesUpTo, productOfPrimePowers } from '../../../lib/math';
import { serveWorkerTasks } from '../../../lib/workers';

/** The exponents of a factorization (index i: the i-th prime); the output is its number's decimal digit count. */
export interface DigitCountTask {
  exponents: Float64Array;
  native: boolean;
}

serveWorkerTasks<DigitCountTask, number>(({ exponents, native }) => {
  const gmp = native ? nativeBignum() : undefined;
  if (!gmp) return { output: productOfPrimePowers(exponents).toString().length };
  let bound = 16;
  while (primesUpTo(bound).length < exponents.length) bound *= 2;
  return { output: gmp.primePowersDecimal(primesUpTo(bound), exponents).length };
});
