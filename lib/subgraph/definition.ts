// What a subgraph is, for the one path that builds every subgraph: its name, schema and resolvers, its settings, and
// the process-wide service its resolvers use (one per process, on the factorial service's batches).

import type { Registry } from 'prom-client';
import type { FactorialBatches, FactorialClientSettings } from '../../services/factorial/client';
import type { GraphQLResolverMap, SubgraphContext, SubgraphSettings } from '../graphql';
import type { RequestScope } from '../request';

/** The settings every subgraph reads: the shared ones, and how to reach the factorial service. */
export interface SubgraphConfig extends SubgraphSettings {
  readonly factorial: FactorialClientSettings;
}

/** What a subgraph's process-wide service must offer: to close (its worker threads). */
export interface SubgraphService {
  close(): Promise<void>;
}

export interface SubgraphDefinition<
  TConfig extends SubgraphConfig,
  TOptions,
  TService extends SubgraphService,
  TContext extends SubgraphContext,
> {
  /** Its name: its logs', metrics' and supergraph's. */
  readonly name: string;
  /** Its schema file, with its federation directives. */
  readonly schemaPath: string;
  readonly resolvers: GraphQLResolverMap<TContext>;
  /** Reads its settings from the environment, once, with their defaults. */
  loadConfig(env: Readonly<Record<string, string | undefined>>): TConfig;
  /** Its service's options, from its settings. */
  serviceOptions(config: TConfig): TOptions;
  /** Its process-wide service, on the process's factorial batches. */
  createService(options: TOptions, factorials: FactorialBatches, registry: Registry | undefined): TService;
  /** What its resolvers get for one request, besides the request's trace. */
  context(service: TService, scope: RequestScope): Omit<TContext, 'trace'>;
  /** A start-up line to log besides where it listens (which arithmetic serves big results, say). */
  describe?(config: TConfig): string;
}
