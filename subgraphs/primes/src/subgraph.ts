// The primes subgraph as the one subgraph path (lib/subgraph) builds it: its schema, resolvers, settings and service.

import { projectPath } from '../../../lib/config';
import type { GraphQLResolverMap } from '../../../lib/graphql';
import type { SubgraphDefinition } from '../../../lib/subgraph';
import { loadPrimesConfig, type PrimesConfig } from './config';
import type { PrimesContext } from './context';
import { PrimesService, type PrimesSettings } from './primes';
import { resolvers } from './resolvers';

export const primesSubgraph: SubgraphDefinition<PrimesConfig, PrimesSettings, PrimesService, PrimesContext> = {
  name: 'primes',
  schemaPath: projectPath('subgraphs/primes/schema.graphql'),
  resolvers: resolvers as GraphQLResolverMap<PrimesContext>,
  loadConfig: loadPrimesConfig,
  serviceOptions: (config) => ({
    maxN: config.maxN,
    maxOperationFactorials: config.maxOperationFactorials,
    maxOperationPrimes: config.maxOperationPrimes,
    workers: config.workers,
    nativeArithmetic: config.nativeArithmetic === 'auto',
    maxQueue: config.maxWaitingOperations,
  }),
  createService: (settings, factorials, registry) => new PrimesService({ ...settings, factorials, registry }),
  context: (primes, scope) => ({ primes: primes.forRequest(scope) }),
};
