// What every resolver of the math subgraph receives: the request's math operations, its trace and logger.

import type { SubgraphContext } from '../../../lib/graphql';
import type { RequestMath } from './math';

export interface MathContext extends SubgraphContext {
  math: RequestMath;
}

/** What resolvers hand over for a Factorial entity: its n; the value is resolved (batched) on demand. */
export interface FactorialRef {
  n: number;
}

/** What resolvers hand over for a Binomial entity: its n and r, checked; its value is resolved (batched) on demand. */
export interface BinomialRef {
  n: number;
  r: number;
}
