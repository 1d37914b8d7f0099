// Resolvers of the math subgraph: thin, typed from the schema; the math and the checks live in math.ts.

import { BigIntScalar } from '../../../lib/bigint-scalar';
import type { Resolvers } from './generated/resolvers-types';

export const resolvers: Resolvers = {
  BigInt: BigIntScalar,
  Query: {
    ncr: (_, { n, r }, { math }) => math.ncr(n, r),
    npr: (_, { n, r }, { math }) => math.npr(n, r),
    factorial: (_, { n }, { math }) => math.factorial(n),
    multinomial: (_, { ks }, { math }) => math.multinomial(ks),
    catalan: (_, { n }, { math }) => math.catalan(n),
    factorials: (_, { ns }, { math }) =>
      ns.map((n) => {
        math.checkFactorial(n);
        return { n };
      }),
  },
  Factorial: {
    // Synchronous on purpose: every reference of an _entities call is checked in the same tick,
    // and their values (below) are then loaded together, in one BatchGetFactorials call.
    __resolveReference: ({ n }, { math }) => {
      math.checkFactorial(n);
      return { n };
    },
    value: ({ n }, _, { math }) => math.factorial(n),
  },
};
