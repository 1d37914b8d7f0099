// The subgraph family: what a subgraph is (its definition), and the one path that builds it (settings -> factorial
// client -> batches -> service -> server) for its process and for the test harness alike.

export type { SubgraphConfig, SubgraphDefinition, SubgraphService } from './definition';
export { assembleSubgraph, type AssembledSubgraph, type SubgraphServerOverrides } from './assemble';
export { runSubgraph } from './run';
