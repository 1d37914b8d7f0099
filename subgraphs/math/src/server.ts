// Wiring of the math subgraph: its schema and resolvers on the shared subgraph server; never binds by itself.

import * as fs from 'node:fs';
import { parse } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { projectPath } from '../../../lib/config';
import { createSubgraphServer, type SubgraphServer, type SubgraphServerOptions } from '../../../lib/graphql';
import type { MathContext } from './context';
import type { MathService } from './math';
import { resolvers } from './resolvers';

export const SCHEMA_PATH = projectPath('subgraphs/math/schema.graphql');

export interface MathServerOptions extends Pick<
  SubgraphServerOptions<MathContext>,
  'requestTimeoutMs' | 'production' | 'bodyLimit' | 'limits' | 'httpTimeouts' | 'registry' | 'logger'
> {
  math: MathService;
}

/** The math subgraph's server; stopping it also closes the math service's worker threads. */
export function createMathServer(options: MathServerOptions): Promise<SubgraphServer> {
  const { math, ...settings } = options;
  return createSubgraphServer<MathContext>({
    ...settings,
    name: 'math',
    typeDefs: parse(fs.readFileSync(SCHEMA_PATH, 'utf8')),
    resolvers: resolvers as GraphQLResolverMap<MathContext>,
    context: (scope) => ({ math: math.forRequest(scope) }),
    close: () => math.close(),
  });
}
