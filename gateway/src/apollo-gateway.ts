// Apollo Gateway on the composed supergraph: its subgraphs called through SubgraphDataSource (or what the caller
// builds instead), its query plans exposed in development, its log lines on the gateway's logger.

import { ApolloGateway, IntrospectAndCompose, type GraphQLDataSource } from '@apollo/gateway';
import type { Logger } from '../../lib/observability';
import { SubgraphDataSource } from './data-source';

export interface ApolloGatewayOptions {
  /** Each subgraph's /graphql by its name in the supergraph; they override the supergraph's routing URLs. */
  subgraphs: Readonly<Record<string, string>>;
  /** The composed supergraph SDL; omitted: compose by introspection (development). */
  supergraphSdl?: string;
  /** Development exposes query plans (the header apollo-query-plan-experimental). */
  production: boolean;
  /** How a subgraph is called. Default: a SubgraphDataSource (undici keep-alive pool), as `wrap` wraps it. */
  dataSource?: (subgraph: { name: string; url: string }) => GraphQLDataSource;
  /** Wraps each default data source (the entity cache does). Default: none. */
  wrap?: (name: string, source: SubgraphDataSource) => GraphQLDataSource;
  /** MiB of query plans kept. Default: Apollo's (30). */
  queryPlanStoreMiB?: number;
  logger: Logger;
}

/** The gateway, and the data sources it made (closed with it). */
export function createApolloGateway(options: ApolloGatewayOptions): { gateway: ApolloGateway; close(): Promise<void> } {
  const made: SubgraphDataSource[] = [];
  const dataSource =
    options.dataSource ??
    ((subgraph: { name: string; url: string }) => {
      const source = new SubgraphDataSource(subgraph);
      made.push(source);
      return options.wrap ? options.wrap(subgraph.name, source) : source;
    });
  const sources = new Map<string, GraphQLDataSource>();
  const { logger } = options;
  const gateway = new ApolloGateway({
    supergraphSdl:
      options.supergraphSdl ??
      new IntrospectAndCompose({ subgraphs: Object.entries(options.subgraphs).map(([name, url]) => ({ name, url })) }),
    // One data source per subgraph, whatever the number of supergraph loads.
    buildService: ({ name, url }) => {
      const target = options.subgraphs[name] ?? url;
      if (!target) throw new Error(`no URL for the subgraph ${name}`);
      let source = sources.get(name);
      if (!source) sources.set(name, (source = dataSource({ name, url: target })));
      return source;
    },
    ...(options.queryPlanStoreMiB !== undefined && { experimental_approximateQueryPlanStoreMiB: options.queryPlanStoreMiB }),
    // In development, a request with the header apollo-query-plan-experimental: 1 gets its query plan in extensions.
    __exposeQueryPlanExperimental: !options.production,
    logger: {
      debug: () => {},
      info: (m) => logger.debug(String(m)),
      warn: (m) => logger.warn(String(m)),
      error: (m) => logger.error(String(m)),
    },
  });
  return { gateway, close: async () => void (await Promise.all(made.map((source) => source.close()))) };
}
