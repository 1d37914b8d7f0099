// What every resolver of the primes subgraph receives: the request's factorizations, its trace and logger.

import type { SubgraphContext } from '../../../lib/graphql';
import type { RequestPrimes } from './primes';

export interface PrimesContext extends SubgraphContext {
  primes: RequestPrimes;
}

/** What resolvers hand over for a Factorial entity: its n, checked; its fields are resolved (batched) on demand. */
export interface FactorialRef {
  n: number;
}

/** What resolvers hand over for a Binomial entity: its n and r, checked. */
export interface BinomialRef {
  n: number;
  r: number;
}
