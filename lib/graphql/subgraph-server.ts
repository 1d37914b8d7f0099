// A subgraph server, the same for every subgraph: @apollo/subgraph's schema on Apollo Server and Fastify, with
// /graphql, /metrics and /health, each request's scope (deadline, id, trace), the operation limits and HTTP
// timeouts (whoever calls it), operation counting and logging, and a graceful stop. A subgraph brings its schema,
// its resolvers and what its resolvers get per request.

import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';

export type { GraphQLResolverMap };
import Fastify from 'fastify';
import type { DocumentNode } from 'graphql';
import { Counter, type Registry } from 'prom-client';
import { defaultHttpTimeouts, jsonErrorHandlers, guardJsonDepth, guardSlowClients, timedFastifyOptions, type HttpTimeouts } from '../http';
import { requestIdOf, silentLogger, traceRequests, type Logger, type RequestTrace } from '../observability';
import { DEADLINE_HEADER, deadlineFromHeader, responseDeadline, type RequestScope } from '../request';
import { hardenedApolloOptions } from './apollo-options';
import { guardEntities } from './entities';
import { observeOperations } from './observe-operations';
import { DEFAULT_LIMITS, subgraphLimits, type OperationLimits } from './operation-limits';

/** What every subgraph's resolvers get: the request's trace and logger, besides the subgraph's own. */
export interface SubgraphContext {
  trace: RequestTrace;
}

export interface SubgraphServerOptions<TContext extends SubgraphContext> {
  /** The subgraph's name: its logs' and metrics' prefix (`<name>_operations_total`). */
  name: string;
  /** Its schema, with its federation directives. */
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<TContext>;
  /** What its resolvers get for one request, besides `trace`. */
  context(scope: RequestScope): Omit<TContext, 'trace'>;
  /** Longest a request may take; the gateway's header can only shorten it. Default: 30,000 ms. */
  requestTimeoutMs?: number;
  /** Production mode: no introspection. Default: true (development is asked for explicitly). */
  production?: boolean;
  /** Largest request body, in bytes. Default: 100 KB. */
  bodyLimit?: number;
  /** The operation limits (the gateway's; a subgraph enforces those the query planner keeps). Default: DEFAULT_LIMITS. */
  limits?: OperationLimits;
  /** HTTP timeouts. Default: defaultHttpTimeouts(requestTimeoutMs). */
  httpTimeouts?: HttpTimeouts;
  registry?: Registry;
  logger?: Logger;
  /** Releases what the subgraph holds (worker threads), after the server has stopped. */
  close?(): Promise<void>;
}

export interface SubgraphServer {
  /** Binds host:port (0 for a free port) and resolves with the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** /health turns 503; requests are still served. */
  announceShutdown(): void;
  /** /health turns 503, in-flight requests finish, then everything stops. */
  stop(): Promise<void>;
  readonly healthy: boolean;
}

/** Builds a subgraph server (not listening yet). */
export async function createSubgraphServer<TContext extends SubgraphContext>(
  options: SubgraphServerOptions<TContext>,
): Promise<SubgraphServer> {
  const logger = options.logger ?? silentLogger;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const bodyLimit = options.bodyLimit ?? 100 * 1024;
  const timeouts = options.httpTimeouts ?? defaultHttpTimeouts(requestTimeoutMs);
  // Fastify, as the gateway (bench/http-integration.ts measured it against Express 5).
  const app = Fastify({ bodyLimit, genReqId: requestIdOf, ...timedFastifyOptions(timeouts) });
  guardSlowClients(app, timeouts, options.registry);
  guardJsonDepth(app);
  // Joins the gateway's trace (traceparent) and keeps its request id (x-request-id).
  const requestTrace = traceRequests(app, { originate: false, logger });
  let healthy = true;

  const schema = buildSubgraphSchema({ typeDefs: options.typeDefs, resolvers: options.resolvers as GraphQLResolverMap<unknown> });
  guardEntities(schema);
  const limits = subgraphLimits(options.limits ?? DEFAULT_LIMITS);
  const apollo = new ApolloServer<TContext>({
    schema,
    ...hardenedApolloOptions({ production: options.production ?? true }),
    allowBatchedHttpRequests: false,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    // Inline traces (ftv1) cost time on every request; Apollo's usage reporting is not used here. Apollo's
    // cache-control plugin (on by default) computes each answer's policy from the schema's @cacheControl hints and
    // sends it as Cache-Control; the gateway merges the subgraphs' into its answer's, and caches by it.
    plugins: [
      ...(limits.plugins as ApolloServerPlugin<TContext>[]),
      fastifyApolloDrainPlugin(app),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      observeOperations<TContext>({ registry: options.registry, logger }),
      ...(options.registry ? [countOperations<TContext>(options.registry, options.name)] : []),
    ],
  });
  await apollo.start();

  app.get('/health', async (_request, reply) => reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'shutting down' }));
  if (options.registry) {
    const registry = options.registry;
    app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  }
  jsonErrorHandlers(app, { bodyLimit, logger });
  await app.register(fastifyApollo(apollo), {
    context: async (request, reply) => {
      // The request's deadline: the gateway's, capped by ours; the client leaving brings it forward.
      const deadline = responseDeadline(reply.raw, deadlineFromHeader(request.headers[DEADLINE_HEADER], requestTimeoutMs));
      // The request's trace context: the parent of the spans of its fields and of its calls.
      const trace = requestTrace(request);
      return { ...options.context({ deadline, requestId: request.id, trace: trace.context }), trace } as TContext;
    },
  });

  return {
    get healthy() {
      return healthy;
    },
    async listen(host, port) {
      await app.listen({ host, port });
      return (app.server.address() as { port: number }).port;
    },
    announceShutdown() {
      healthy = false;
    },
    async stop() {
      healthy = false;
      await apollo.stop();
      await app.close();
      await options.close?.();
    },
  };
}

/** `<name>_operations_total`: operations executed, so that gRPC calls per operation can be read off /metrics. */
function countOperations<TContext extends SubgraphContext>(registry: Registry, name: string): ApolloServerPlugin<TContext> {
  const operations = new Counter({
    name: `${name}_operations_total`,
    help: 'GraphQL operations the subgraph executed.',
    registers: [registry],
  });
  const listener = {
    async executionDidStart() {
      operations.inc();
    },
  };
  return { requestDidStart: async () => listener };
}
