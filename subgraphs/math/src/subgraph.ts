// The math subgraph as the one subgraph path (lib/subgraph) builds it: its schema, resolvers, settings and service.

import { projectPath } from '../../../lib/config';
import type { GraphQLResolverMap } from '../../../lib/graphql';
import { describeArithmetic, nativeBignum } from '../../../lib/math';
import type { SubgraphDefinition } from '../../../lib/subgraph';
import { loadMathConfig, type MathConfig } from './config';
import type { MathContext } from './context';
import { MathService, type MathSettings } from './math';
import { resolvers } from './resolvers';

export const mathSubgraph: SubgraphDefinition<MathConfig, MathSettings, MathService, MathContext> = {
  name: 'math',
  schemaPath: projectPath('subgraphs/math/schema.graphql'),
  resolvers: resolvers as GraphQLResolverMap<MathContext>,
  loadConfig: loadMathConfig,
  serviceOptions: (config) => ({
    maxN: config.maxN,
    maxOperationFactorials: config.maxOperationFactorials,
    maxResultDigits: config.maxResultDigits,
    maxOperationDigits: config.maxOperationDigits,
    workers: config.workers,
    nativeArithmetic: config.nativeArithmetic === 'auto',
    maxQueue: config.maxWaitingOperations,
  }),
  createService: (settings, factorials, registry) => new MathService({ ...settings, factorials, registry }),
  context: (math, scope) => ({ math: math.forRequest(scope) }),
  describe: (config) =>
    `big results: ${describeArithmetic(config.nativeArithmetic === 'auto' ? nativeBignum() : undefined)}${config.nativeArithmetic === 'off' ? ', MATH_NATIVE=off' : ''}`,
};
