// The GraphQL family: what both subgraphs and the gateway share on the GraphQL side.

// Errors: registered codes as GraphQL errors, what clients see of them, failures below resolvers mapped onto them.
export { apiError, badInput } from './api-error';
export { toApiError } from './failures';
// The BigInt scalar.
export { BigIntScalar } from './bigint-scalar';
// Apollo Server: the shared security posture, and the plugin that counts and logs every operation.
export { hardenedApolloOptions } from './apollo-options';
export { observeOperations } from './observe-operations';
export { checkCount, checkPair, tooManyFactorials } from './arguments';
// The subgraph server every subgraph is built on.
export {
  createSubgraphServer,
  type GraphQLResolverMap,
  type SubgraphContext,
  type SubgraphServer,
  type SubgraphServerOptions,
} from './subgraph-server';
export { readProduction, readSubgraphSettings, subgraphServerSettings, type SubgraphSettings } from './subgraph-settings';
// Operation limits, the same at the gateway and in the subgraphs.
export { DEFAULT_LIMITS, gatewayLimits, type OperationLimits, readOperationLimits } from './operation-limits';
