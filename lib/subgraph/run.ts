// A subgraph's process: settings -> metrics registry -> the assembled subgraph -> listen; runService does the rest
// (logger, tracing, signals, shutdown).

import { createMetricsRegistry } from '../observability';
import { runService } from '../process';
import { assembleSubgraph } from './assemble';
import type { SubgraphConfig, SubgraphDefinition, SubgraphService } from './definition';
import type { SubgraphContext } from '../graphql';

/** Runs `definition` as this process's service, on the settings its environment gives. */
export function runSubgraph<TConfig extends SubgraphConfig, TOptions, TService extends SubgraphService, TContext extends SubgraphContext>(
  definition: SubgraphDefinition<TConfig, TOptions, TService, TContext>,
): void {
  void runService(
    definition.name,
    (env) => definition.loadConfig(env),
    async (config, logger) => {
      const registry = createMetricsRegistry();
      const subgraph = await assembleSubgraph(definition, config, { registry, logger });
      const note = definition.describe?.(config);
      if (note) logger.info(note);
      const port = await subgraph.server.listen(config.host, config.port);
      logger.info(`GraphQL on http://${config.host}:${port}/graphql, factorial service at ${config.factorial.address}`);
      return { announce: () => subgraph.server.announceShutdown(), stop: () => subgraph.close() };
    },
  );
}
