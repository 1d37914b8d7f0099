// Wiring of the gateway: Apollo Gateway on Apollo Server and Fastify, the REST route, Sandbox, probes, tracing; never binds by itself.

import { ApolloGateway, IntrospectAndCompose } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { hardenedApolloOptions } from '../../lib/graphql';
import { requestIdOf, traceRequests } from '../../lib/observability';
import { observeOperations } from '../../lib/graphql';
import { LATENCY_BUCKETS } from '../../lib/observability';
import { REQUEST_ID_HEADER, responseDeadline } from '../../lib/request';
import { silentLogger, type Logger } from '../../lib/observability';
import type { GatewayContext } from './context';
import { immutableAnswers } from './cache-policy';
import { ApolloFetchDataSource, SubgraphDataSource } from './data-source';
import { NCR_PREFIX, ncrRoute, sendFailure } from './rest';
import { DEFAULT_LIMITS, operationLimits, type OperationLimits } from './limits';

export interface GatewayServerOptions {
  /** URL of the math subgraph's /graphql; overrides the supergraph's routing URL. */
  mathUrl: string;
  /** The composed supergraph SDL (static, as Apollo advises for production); omitted: compose by introspection (development). */
  supergraphSdl?: string;
  /** Production mode: no introspection, no "did you mean", the production landing page. Default: false. */
  production?: boolean;
  /** Each request's timeout: its deadline is this long after it arrives. Default: 30,000 ms. */
  requestTimeoutMs?: number;
  /** Bytes of REST answers kept (they never change). Default: 16 MiB. */
  restCacheBytes?: number;
  /** Largest request body, in bytes. Default: 100 KB. */
  bodyLimit?: number;
  /** Operation limits (depth, aliases, root fields, tokens, directives, cost). Default: DEFAULT_LIMITS. */
  limits?: Partial<OperationLimits>;
  /**
   * Tuning, each measured by bench/tuning.ts; the defaults are the tuned values. How subgraph calls are made:
   * 'undici' (keep-alive connections from a bounded pool) or 'apollo' (RemoteGraphQLDataSource's own fetch);
   * the pool's size; whether parsed and validated documents are cached (Apollo's 30 MiB LRU); MiB of query plans kept.
   */
  tuning?: { subgraphHttp?: 'undici' | 'apollo'; subgraphConnections?: number; documentCache?: boolean; queryPlanCacheMiB?: number };
  registry?: Registry;
  logger?: Logger;
}

export interface GatewayServer {
  /** Binds host:port (0 for a free port) and resolves with the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** /ready turns false; requests are still served. */
  announceShutdown(): void;
  /** /ready turns false, in-flight requests finish, then everything stops. */
  stop(): Promise<void>;
  /** Whether the supergraph is loaded and the math subgraph answers. */
  isReady(): Promise<boolean>;
}

/** Longest path segment routed; the REST route's n and r are far shorter. */
const MAX_SEGMENT_LENGTH = 1000;

const SANDBOX_OPERATION = '{\n  ncr(n: 10, r: 3)\n  factorial(n: 25)\n}\n';

/**
 * Builds the gateway. Fastify rather than Express 5: bench/http-integration.ts serves this
 * same gateway through both, and Fastify answered about 1.3x the requests at a lower p99.
 */
export async function createGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const logger = options.logger ?? silentLogger;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const tuning = options.tuning ?? {};
  const subgraph = new SubgraphDataSource({ name: 'math', url: options.mathUrl, connections: tuning.subgraphConnections });
  // Apollo Gateway reports anonymous usage (uptime, CPU, cloud provider) to Apollo every hour, and probes cloud
  // metadata endpoints at start-up to do it, unless APOLLO_TELEMETRY_DISABLED is set. This service makes no
  // outbound call its operator did not ask for: off, unless the variable says otherwise.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const gateway = new ApolloGateway({
    ...(options.supergraphSdl
      ? { supergraphSdl: options.supergraphSdl }
      : { supergraphSdl: new IntrospectAndCompose({ subgraphs: [{ name: 'math', url: options.mathUrl }] }) }),
    buildService: () => (tuning.subgraphHttp === 'apollo' ? new ApolloFetchDataSource({ url: options.mathUrl }) : subgraph),
    ...(tuning.queryPlanCacheMiB !== undefined && { experimental_approximateQueryPlanStoreMiB: tuning.queryPlanCacheMiB }),
    logger: {
      debug: () => {},
      info: (m) => logger.debug(String(m)),
      warn: (m) => logger.warn(String(m)),
      error: (m) => logger.error(String(m)),
    },
  });

  const limits = operationLimits({ ...DEFAULT_LIMITS, ...options.limits });
  const bodyLimit = options.bodyLimit ?? 100 * 1024;
  const app = Fastify({
    bodyLimit,
    routerOptions: { maxParamLength: MAX_SEGMENT_LENGTH },
    // Errors the router raises before any route runs (an over-long segment, a malformed URL).
    frameworkErrors: (error, request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const message =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? `a path segment is longer than ${MAX_SEGMENT_LENGTH} characters` : 'malformed URL';
      if (request.url.startsWith(NCR_PREFIX)) {
        void sendFailure(reply, [], 'BAD_USER_INPUT', `n and r must be decimal integers (${message})`);
      } else {
        void reply.code(400).send({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
      }
    },
    genReqId: requestIdOf,
  });
  // Trace context, spans and request loggers; the gateway is the edge: it starts a trace id when the client sent none.
  const requestTrace = traceRequests(app, { originate: true, logger });
  let stopping = false;

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    ...hardenedApolloOptions({ production: options.production }),
    allowBatchedHttpRequests: false,
    ...(tuning.documentCache === false && { documentStore: null }),
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    plugins: [
      ...(limits.plugins as ApolloServerPlugin<GatewayContext>[]),
      observeOperations<GatewayContext>({ registry: options.registry, logger }),
      fastifyApolloDrainPlugin(app),
      immutableAnswers<GatewayContext>(),
      options.production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ footer: false, document: SANDBOX_OPERATION }),
    ],
  });
  await apollo.start();

  const newContext = (request: FastifyRequest, reply: FastifyReply): GatewayContext => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    return { requestId: request.id, deadline: responseDeadline(reply.raw, Date.now() + requestTimeoutMs), trace: requestTrace(request) };
  };

  if (options.registry) recordHttpMetrics(app, options.registry);

  app.get('/health', async () => ({ status: 'ok' }));
  const ready = readinessProbe(options.mathUrl, () => !stopping);
  app.get('/ready', async (_request, reply) => {
    const ok = await ready();
    return reply.code(ok ? 200 : 503).send({ ready: ok });
  });
  if (options.registry) {
    const registry = options.registry;
    app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  }

  await app.register(ncrRoute, {
    apollo,
    cacheBytes: options.restCacheBytes ?? 16 * 1024 * 1024,
    registry: options.registry,
    context: newContext,
  });

  // Unknown routes and malformed or oversized bodies: JSON errors shaped like GraphQL's, never an HTML or stack page.
  // Set before the Apollo plugin registers, so that its routes inherit them.
  const httpError = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(httpError('not found', 'NOT_FOUND')));
  app.setErrorHandler((error: { statusCode?: number; code?: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      logger.error({ err: error, request_id: _request.id }, 'unexpected error in the HTTP layer');
      return reply.code(500).send(httpError('Internal server error', 'INTERNAL_SERVER_ERROR'));
    }
    const message = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `request body too large (limit ${bodyLimit} bytes)` : 'malformed request';
    return reply.code(status).send(httpError(message, 'BAD_REQUEST'));
  });

  await app.register(fastifyApollo(apollo), { context: async (request, reply) => newContext(request, reply) });

  return {
    async listen(host, port) {
      await app.listen({ host, port });
      return (app.server.address() as { port: number }).port;
    },
    isReady: ready,
    announceShutdown() {
      stopping = true;
    },
    async stop() {
      stopping = true;
      await apollo.stop();
      await app.close();
      await subgraph.close();
    },
  };
}

/** Records http_request_duration_seconds by method, route pattern (never the raw path) and status. */
function recordHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests served by the gateway, by method, route and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}

/** True while not stopping and the math subgraph answers a trivial query; cached for a second. */
function readinessProbe(mathUrl: string, accepting: () => boolean): () => Promise<boolean> {
  let last = { at: 0, ok: false };
  return async () => {
    if (!accepting()) return false;
    if (Date.now() - last.at < 1000) return last.ok;
    let ok = false;
    try {
      const response = await fetch(mathUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
        signal: AbortSignal.timeout(1000),
      });
      ok = response.ok;
      await response.body?.cancel();
    } catch {
      ok = false;
    }
    last = { at: Date.now(), ok };
    return ok;
  };
}
