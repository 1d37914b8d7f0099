// The one path from a subgraph's settings to its server: factorial client -> batches -> service -> server. Its
// process (run.ts) and the test harness both take it; only the port and the overrides differ.

import * as fs from 'node:fs';
import { parse } from 'graphql';
import type { Registry } from 'prom-client';
import { createFactorialClient, FactorialBatches, type FactorialClient } from '../../services/factorial/client';
import {
  createSubgraphServer,
  subgraphServerSettings,
  type SubgraphContext,
  type SubgraphServer,
  type SubgraphServerOptions,
} from '../graphql';
import { clientCredentials } from '../grpc';
import type { Logger } from '../observability';
import type { SubgraphConfig, SubgraphDefinition, SubgraphService } from './definition';

/** Server options a caller may set besides the settings' (tests: a larger body limit, shorter timeouts). */
export type SubgraphServerOverrides = Partial<
  Pick<SubgraphServerOptions<SubgraphContext>, 'requestTimeoutMs' | 'production' | 'bodyLimit' | 'limits' | 'httpTimeouts' | 'logger'>
>;

export interface AssembledSubgraph<TService> {
  readonly service: TService;
  readonly server: SubgraphServer;
  readonly client: FactorialClient;
  /** Stops the server (in-flight requests finish), then closes the factorial client. */
  close(): Promise<void>;
}

/** Builds a subgraph, not listening yet, from its settings (and overrides of its service's options and its server's). */
export async function assembleSubgraph<
  TConfig extends SubgraphConfig,
  TOptions,
  TService extends SubgraphService,
  TContext extends SubgraphContext,
>(
  definition: SubgraphDefinition<TConfig, TOptions, TService, TContext>,
  config: TConfig,
  options: { registry?: Registry; logger?: Logger; service?: Partial<TOptions>; server?: SubgraphServerOverrides } = {},
): Promise<AssembledSubgraph<TService>> {
  const { registry, logger } = options;
  const client = createFactorialClient(config.factorial.address, { credentials: clientCredentials(config.factorial.tls) });
  const factorials = new FactorialBatches(client, {
    registry,
    memory: { bytes: config.memoryBytes, maxWaiting: config.maxWaitingOperations },
    keptExponentBytes: config.exponentCacheBytes,
  });
  const service = definition.createService({ ...definition.serviceOptions(config), ...options.service }, factorials, registry);
  const server = await createSubgraphServer<TContext>({
    name: definition.name,
    typeDefs: parse(fs.readFileSync(definition.schemaPath, 'utf8')),
    resolvers: definition.resolvers,
    context: (scope) => definition.context(service, scope),
    close: () => service.close(),
    registry,
    logger,
    ...subgraphServerSettings(config),
    ...options.server,
  });
  return {
    service,
    server,
    client,
    async close() {
      await server.stop();
      client.close();
    },
  };
}
