// Resolvers of the math subgraph: thin, typed from the schema; the math and the checks live in math.ts.

import { BigIntScalar } from '../../../lib/graphql';
import type { Resolvers } from './generated/resolvers-types';

export const resolvers: Resolvers = {
  BigInt: BigIntScalar,
  Query: {
    ncr: (_, { n, r }, { math }) => math.ncr(n, r),
    npr: (_, { n, r }, { math }) => math.npr(n, r),
    factorial: (_, { n }, { math }) => math.factorial(n),
    multinomial: (_, { ks }, { math }) => math.multinomial(ks),
    catalan: (_, { n }, { math }) => math.catalan(n),
    // Only the arguments are checked here: a value's digits count when (and each time) the value is asked for.
    factorials: (_, { ns }, { math }) => ns.map((n) => math.factorialRef(n)),
    // n and r are checked; the value is computed only when asked for.
    binomial: (_, { n, r }, { math }) => math.binomialRef(n, r),
  },
  Factorial: {
    // A promise, never a throw: a bad representation fails alone (its entity is null with its own error), and
    // every good one's value is still loaded with the others, in one BatchGetFactorials call.
    __resolveReference: async ({ n }, { math }) => math.factorialRef(n),
    value: ({ n }, _, { math }) => math.factorial(n),
  },
  Binomial: {
    __resolveReference: async ({ n, r }, { math }) => math.binomialRef(n, r),
    value: ({ n, r }, _, { math }) => math.ncr(n, r),
  },
};
