// Wiring of the math subgraph: Apollo Server on Express with /graphql, /metrics and /health; never binds by itself.

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import express from 'express';
import { parse } from 'graphql';
import { Counter, type Registry } from 'prom-client';
import { createErrorFormatter } from '../../../lib/format-error';
import { listenHttp } from '../../../lib/listen';
import { silentLogger, type Logger } from '../../../lib/logger';
import { budgetFromHeader, REQUEST_TIMEOUT_HEADER } from '../../../lib/request-budget';
import type { MathContext } from './context';
import type { MathService } from './math';
import { resolvers } from './resolvers';

export const SCHEMA_PATH = path.resolve(__dirname, '../schema.graphql');

export interface MathServerOptions {
  math: MathService;
  /** Longest a request may take; the gateway's header can only shorten it. Default: 30,000 ms. */
  requestTimeoutMs?: number;
  /** Production mode: no introspection. Default: false. */
  production?: boolean;
  /** Largest request body. Default: 100 KB. */
  bodyLimit?: string;
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
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  let healthy = true;

  const apollo = new ApolloServer<MathContext>({
    schema: buildSubgraphSchema({
      typeDefs: parse(fs.readFileSync(SCHEMA_PATH, 'utf8')),
      resolvers: resolvers as GraphQLResolverMap<unknown>,
    }),
    csrfPrevention: true,
    // main.ts owns the signals: Apollo's own handlers would stop the server and re-raise the signal.
    stopOnTerminationSignals: false,
    introspection: !options.production,
    hideSchemaDetailsFromClientErrors: options.production ?? false,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(logger),
    // Inline traces (ftv1) cost time on every request; Apollo's usage reporting is not used here.
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ...(options.registry ? [countOperations(options.registry)] : []),
    ],
  });
  await apollo.start();

  app.get('/health', (_req, res) => {
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'shutting down' });
  });
  if (options.registry) {
    const registry = options.registry;
    app.get('/metrics', async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    });
  }
  app.use(
    '/graphql',
    express.json({ limit: options.bodyLimit ?? '100kb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        // The request's budget: the gateway's remaining time, capped by ours; the client leaving ends it too.
        const budgetMs = budgetFromHeader(req.headers[REQUEST_TIMEOUT_HEADER], requestTimeoutMs);
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), budgetMs);
        res.once('close', () => {
          clearTimeout(timer);
          controller.abort();
        });
        return { math: options.math.forRequest({ deadline: Date.now() + budgetMs, signal: controller.signal }) };
      },
    }),
  );

  return {
    get healthy() {
      return healthy;
    },
    listen: (host, port) => listenHttp(httpServer, host, port),
    announceShutdown() {
      healthy = false;
    },
    async stop() {
      healthy = false;
      await apollo.stop();
      await options.math.close();
    },
  };
}

/** math_operations_total: operations executed, so that BatchGetFactorials calls per operation can be read off /metrics. */
function countOperations(registry: Registry): ApolloServerPlugin<MathContext> {
  const operations = new Counter({ name: 'math_operations_total', help: 'GraphQL operations the subgraph executed.', registers: [registry] });
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
