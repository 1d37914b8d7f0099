// Wiring of the math subgraph: Apollo Server on Fastify with /graphql, /metrics and /health, traced; never binds by itself.

import * as fs from 'node:fs';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import Fastify from 'fastify';
import { parse } from 'graphql';
import { Counter, type Registry } from 'prom-client';
import { hardenedApolloOptions } from '../../../lib/apollo-options';
import { requestIdOf, traceRequests } from '../../../lib/fastify-tracing';
import { observeOperations } from '../../../lib/observe-operations';
import { silentLogger, type Logger } from '../../../lib/logger';
import { projectPath } from '../../../lib/paths';
import { budgetFromHeader, REQUEST_TIMEOUT_HEADER, responseLifetime } from '../../../lib/request-budget';
import type { MathContext } from './context';
import type { MathService } from './math';
import { resolvers } from './resolvers';

export const SCHEMA_PATH = projectPath('subgraphs/math/schema.graphql');

export interface MathServerOptions {
  math: MathService;
  /** Longest a request may take; the gateway's header can only shorten it. Default: 30,000 ms. */
  requestTimeoutMs?: number;
  /** Production mode: no introspection. Default: false. */
  production?: boolean;
  /** Largest request body, in bytes. Default: 100 KB. */
  bodyLimit?: number;
  registry?: Registry;
  logger?: Logger;
}

export interface MathServer {
  /** Binds host:port (0 for a free port) and resolves with the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** /health turns 503; requests are still served. */
  announceShutdown(): void;
  /** /health turns 503, in-flight requests finish, then everything stops. */
  stop(): Promise<void>;
  readonly healthy: boolean;
}

export async function createMathServer(options: MathServerOptions): Promise<MathServer> {
  const logger = options.logger ?? silentLogger;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  // Fastify, as the gateway (bench/http-integration.ts measured it against Express 5).
  const app = Fastify({ bodyLimit: options.bodyLimit ?? 100 * 1024, genReqId: requestIdOf });
  // Joins the gateway's trace (traceparent) and keeps its request id (x-request-id).
  const requestTrace = traceRequests(app, { originate: false, logger });
  let healthy = true;

  const apollo = new ApolloServer<MathContext>({
    schema: buildSubgraphSchema({
      typeDefs: parse(fs.readFileSync(SCHEMA_PATH, 'utf8')),
      resolvers: resolvers as GraphQLResolverMap<unknown>,
    }),
    ...hardenedApolloOptions({ production: options.production }),
    // Inline traces (ftv1) cost time on every request; Apollo's usage reporting is not used here. No cache
    // hints either: the default cache-control plugin's per-field hook made Apollo wrap every resolver, to
    // compute a policy nothing reads (the answers are immutable; the REST route says so itself).
    plugins: [
      fastifyApolloDrainPlugin(app),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      observeOperations<MathContext>({ registry: options.registry, logger }),
      ...(options.registry ? [countOperations(options.registry)] : []),
    ],
  });
  await apollo.start();

  app.get('/health', async (_request, reply) => reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'shutting down' }));
  if (options.registry) {
    const registry = options.registry;
    app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  }
  await app.register(fastifyApollo(apollo), {
    context: async (request, reply) => {
      // The request's budget: the gateway's remaining time, capped by ours; the client leaving ends it too.
      const budgetMs = budgetFromHeader(request.headers[REQUEST_TIMEOUT_HEADER], requestTimeoutMs);
      const lifetime = responseLifetime(reply.raw, Date.now() + budgetMs);
      // The request's trace context: the parent of the spans its fields and its BatchGetFactorials call make.
      const trace = requestTrace(request);
      const scope = { lifetime, requestId: request.id, trace: trace.context };
      return { math: options.math.forRequest(scope), trace };
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
      await options.math.close();
    },
  };
}

/** math_operations_total: operations executed, so that BatchGetFactorials calls per operation can be read off /metrics. */
function countOperations(registry: Registry): ApolloServerPlugin<MathContext> {
  const operations = new Counter({
    name: 'math_operations_total',
    help: 'GraphQL operations the subgraph executed.',
    registers: [registry],
  });
  return {
    async requestDidStart() {
      return {
        async executionDidStart() {
          operations.inc();
        },
      };
    },
  };
}
