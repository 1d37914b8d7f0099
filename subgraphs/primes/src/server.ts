// Wiring of the primes subgraph: its schema and resolvers on the shared subgraph server; never binds by itself.

import * as fs from 'node:fs';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse } from 'graphql';
import { projectPath } from '../../../lib/config';
import { createSubgraphServer, type SubgraphServer, type SubgraphServerOptions } from '../../../lib/graphql';
import type { PrimesContext } from './context';
import type { PrimesService } from './primes';
import { resolvers } from './resolvers';

export const SCHEMA_PATH = projectPath('subgraphs/primes/schema.graphql');

export interface PrimesServerOptions extends Pick<
  SubgraphServerOptions<PrimesContext>,
  'requestTimeoutMs' | 'production' | 'bodyLimit' | 'limits' | 'httpTimeouts' | 'registry' | 'logger'
> {
  primes: PrimesService;
}

/** The primes subgraph's server; stopping it also closes the primes service's worker threads. */
export function createPrimesServer(options: PrimesServerOptions): Promise<SubgraphServer> {
  const { primes, ...settings } = options;
  return createSubgraphServer<PrimesContext>({
    ...settings,
    name: 'primes',
    typeDefs: parse(fs.readFileSync(SCHEMA_PATH, 'utf8')),
    resolvers: resolvers as GraphQLResolverMap<PrimesContext>,
    context: (scope) => ({ primes: primes.forRequest(scope) }),
    close: () => primes.close(),
  });
}
