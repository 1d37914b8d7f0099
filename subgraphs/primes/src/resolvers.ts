// Resolvers of the primes subgraph: thin, typed from the schema; the math and the checks live in primes.ts.

import type { Resolvers } from './generated/resolvers-types';

export const resolvers: Resolvers = {
  Query: {
    primes: (_, { from, to }, { primes }) => primes.primes(from, to),
  },
  Factorial: {
    // Promises, never a throw: a bad representation fails alone (its entity is null with its own error), and every
    // good one's factorials are still loaded with the others, in one BatchGetFactorials call.
    __resolveReference: async ({ n }, { primes }) => primes.factorialRef(n),
    primeFactorization: (factorial, _, { primes }) => primes.factorialFactorization(factorial),
    digitCount: (factorial, _, { primes }) => primes.factorialDigitCount(factorial),
    trailingZeros: (factorial, { base }, { primes }) => primes.factorialTrailingZeros(factorial, base),
  },
  Binomial: {
    __resolveReference: async ({ n, r }, { primes }) => primes.binomialRef(n, r),
    primeFactorization: (binomial, _, { primes }) => primes.binomialFactorization(binomial),
    digitCount: (binomial, _, { primes }) => primes.binomialDigitCount(binomial),
  },
};
