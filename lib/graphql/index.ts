// The GraphQL family: what both subgraphs and the gateway share on the GraphQL side.

// Errors: registered codes as GraphQL errors, what clients see of them, failures below resolvers mapped onto them.
export * from './api-error';
export * from './format-error';
export * from './failures';
// The BigInt scalar.
export * from './bigint-scalar';
// Apollo Server: the shared security posture, and the plugin that counts and logs every operation.
export * from './apollo-options';
export * from './observe-operations';
export * from './arguments';
// The subgraph server every subgraph is built on.
export * from './subgraph-server';
export * from './subgraph-settings';
// Operation limits, the same at the gateway and in the subgraphs.
export * from './operation-limits';
export * from './entities';
