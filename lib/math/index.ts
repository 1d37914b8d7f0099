// The math family: exact integer arithmetic with no I/O, shared by the factorial service and the subgraphs.

// Primes and factorials as prime exponents (Legendre), products of prime powers, ratios of factorials.
export { primesUpTo } from './primes';
export {
  factorial,
  factorialPrimeExponents,
  netExponents,
  productOfPrimePowers,
  ratioOfFactorialExponents,
  ratioOfFactorialExponentsDecimal,
} from './prime-powers';
export { productOfRange } from './product-tree';
// Sizes estimated in constant time (Stirling), for limits before any work.
export { factorialBits, lnFactorial, ratioDigits } from './estimate';
// Integers as big-endian bytes (the wire's form of a factorial's value).
export { bigintToBytes, bytesToBigint } from './bytes';
// The optional GMP addon.
export { describeArithmetic, nativeBignum, type NativeBignum } from './native';
// What a factorization tells without its number: prime powers, trailing zeros, digits (with an error bound).
export { digitCountFromLog, type PrimePower, primePowers, trailingZeros } from './factorizations';
