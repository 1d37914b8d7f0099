// The gateway as gateway/src/main.ts starts it, with one tuning step undone from GATEWAY_TUNING (JSON): one variant
// of bench/tuning.ts. Not for production: it handles no signals beyond the default.

import * as fs from 'node:fs';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { loadGatewayConfig } from '../gateway/src/config';
import type { GatewayContext } from '../gateway/src/context';
import { deadlineHeaders, SubgraphDataSource } from '../gateway/src/data-source';
import { createGatewayServer } from '../gateway/src/server';
import { createLogger, createMetricsRegistry } from '../lib/observability';

/** The tuning steps bench/tuning.ts undoes, one at a time; absent: as tuned. */
export interface GatewayTuning {
  /** 'apollo': Apollo's RemoteGraphQLDataSource (its own fetch) instead of undici's keep-alive pool. */
  subgraphHttp?: 'undici' | 'apollo';
  /** Connections in the pool to each subgraph (tuned: 64). */
  subgraphConnections?: number;
  /** false: no store of parsed and validated documents. */
  documentCache?: boolean;
  /** MiB of query plans kept. */
  queryPlanCacheMiB?: number;
}

/**
 * Apollo's RemoteGraphQLDataSource (its own fetch) with the same headers: the baseline the tuning measures.
 * Its calls are not cancelled when the client leaves.
 */
class ApolloFetchDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers: Record<string, string> = {};
    deadlineHeaders(context as Partial<GatewayContext>, headers);
    for (const [name, value] of Object.entries(headers)) request.http?.headers.set(name, value);
  }
}

async function main(): Promise<void> {
  // As main.ts: no usage report to Apollo, no probe of cloud metadata endpoints.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const config = loadGatewayConfig(process.env);
  const tuning = JSON.parse(process.env.GATEWAY_TUNING ?? '{}') as GatewayTuning;
  const server = await createGatewayServer({
    subgraphs: config.subgraphs,
    supergraphSdl: fs.readFileSync(config.supergraphPath, 'utf8'),
    requestTimeoutMs: config.requestTimeoutMs,
    responseCacheBytes: config.responseCacheBytes,
    limits: config.limits,
    registry: createMetricsRegistry(),
    logger: createLogger('gateway', config.logLevel),
    ...(tuning.subgraphHttp === 'apollo' && { dataSource: ({ url }) => new ApolloFetchDataSource({ url }) }),
    ...(tuning.subgraphConnections !== undefined && {
      dataSource: (subgraph) => new SubgraphDataSource({ ...subgraph, connections: tuning.subgraphConnections }),
    }),
    ...(tuning.documentCache === false && { documentStore: null }),
    ...(tuning.queryPlanCacheMiB !== undefined && { queryPlanStoreMiB: tuning.queryPlanCacheMiB }),
  });
  await server.listen(config.host, config.port);
}

if (require.main === module) void main();
