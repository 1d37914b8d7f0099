// Wiring of the gateway: Apollo Gateway on Apollo Server and Fastify, the REST route, Sandbox, probes, tracing; never binds by itself.

import { ApolloGateway, IntrospectAndCompose } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import fastifyCompress from '@fastify/compress';
import fastifyCors from '@fastify/cors';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Histogram, type Registry } from 'prom-client';
import {
  countRefusedAnswer,
  DEFAULT_LIMITS,
  hardenedApolloOptions,
  observeOperations,
  operationLimits,
  type OperationLimits,
} from '../../lib/graphql';
import type { ErrorCode } from '../../lib/errors';
import {
  defaultHttpTimeouts,
  errorBody,
  jsonErrorHandlers,
  guardSlowClients,
  guardJsonDepth,
  timedFastifyOptions,
  type HttpTimeouts,
} from '../../lib/http';
import { LATENCY_BUCKETS, recordRefusal, requestIdOf, silentLogger, traceRequests, type Logger } from '../../lib/observability';
import { REQUEST_ID_HEADER, responseDeadline } from '../../lib/request';
import { cachePolicyHeaders } from './cache-policy';
import { COMPRESSION_OPTIONS } from './compression';
import { pages } from './pages';
import type { GatewayContext } from './context';
import { ApolloFetchDataSource, SubgraphDataSource } from './data-source';
import { readinessProbe } from './readiness';
import { NCR_PREFIX, ncrRoute, sendFailure } from './rest';
import { answerErrors } from './answer-errors';
import { ResponseCache } from './response-cache';

export interface GatewayServerOptions {
  /** Each subgraph's /graphql by its name in the supergraph (math, ...); they override the supergraph's routing URLs. */
  subgraphs: Readonly<Record<string, string>>;
  /** The composed supergraph SDL (static, as Apollo advises for production); omitted: compose by introspection (development). */
  supergraphSdl?: string;
  /** Production mode: no introspection, no "did you mean", the production landing page. Default: true. */
  production?: boolean;
  /** Each request's timeout: its deadline is this long after it arrives. Default: 30,000 ms. */
  requestTimeoutMs?: number;
  /** Bytes of answers kept, GraphQL's and REST's together (as their cache policy allows); 0: none. Default: 32 MiB. */
  responseCacheBytes?: number;
  /** Bytes the subgraphs' answers to one operation may take in all, whatever the plan. Default: 16 MiB. */
  maxResponseBytes?: number;
  /** Largest request body, in bytes. Default: 100 KB. */
  bodyLimit?: number;
  /** Operation limits (depth, aliases, root fields, tokens, directives, cost, list items). Default: DEFAULT_LIMITS. */
  limits?: Partial<OperationLimits>;
  /** HTTP timeouts. Default: defaultHttpTimeouts(requestTimeoutMs). */
  httpTimeouts?: HttpTimeouts;
  /** Origins whose pages may call the API from a browser (CORS): '*' for any, or a list. Default: '*'. */
  corsOrigins?: '*' | readonly string[];
  /** Compress answers above 1 KB (gzip, Brotli), as the client's Accept-Encoding allows. Default: true. */
  compression?: boolean;
  /**
   * Tuning, each measured by bench/tuning.ts; the defaults are the tuned values. How subgraph calls are made:
   * 'undici' (keep-alive connections from a bounded pool) or 'apollo' (RemoteGraphQLDataSource's own fetch);
   * the pool's size; whether parsed and validated documents are cached (Apollo's 30 MiB LRU); MiB of query plans kept.
   */
  tuning?: { subgraphHttp?: 'undici' | 'apollo'; subgraphConnections?: number; documentCache?: boolean; queryPlanCacheMiB?: number };
  /** Where the gateway's metrics are registered (served on a port of their own, by main.ts). Default: none kept. */
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
  /** Whether the supergraph is loaded and every subgraph answers. */
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
  const production = options.production ?? true;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const maxResponseBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
  const timeouts = options.httpTimeouts ?? defaultHttpTimeouts(requestTimeoutMs);
  const tuning = options.tuning ?? {};
  const dataSources = new Map(
    Object.entries(options.subgraphs).map(([name, url]) => [
      name,
      new SubgraphDataSource({ name, url, connections: tuning.subgraphConnections }),
    ]),
  );
  // Apollo Gateway reports anonymous usage (uptime, CPU, cloud provider) to Apollo every hour, and probes cloud
  // metadata endpoints at start-up to do it, unless APOLLO_TELEMETRY_DISABLED is set. This service makes no
  // outbound call its operator did not ask for: off, unless the variable says otherwise.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const gateway = new ApolloGateway({
    ...(options.supergraphSdl
      ? { supergraphSdl: options.supergraphSdl }
      : {
          supergraphSdl: new IntrospectAndCompose({ subgraphs: Object.entries(options.subgraphs).map(([name, url]) => ({ name, url })) }),
        }),
    buildService: ({ name, url }) => {
      const target = options.subgraphs[name] ?? url;
      if (!target) throw new Error(`no URL for the subgraph ${name}`);
      if (tuning.subgraphHttp === 'apollo') return new ApolloFetchDataSource({ url: target });
      return dataSources.get(name) ?? new SubgraphDataSource({ name, url: target, connections: tuning.subgraphConnections });
    },
    ...(tuning.queryPlanCacheMiB !== undefined && { experimental_approximateQueryPlanStoreMiB: tuning.queryPlanCacheMiB }),
    // In development, a request with the header apollo-query-plan-experimental: 1 gets its query plan in extensions.
    __exposeQueryPlanExperimental: !production,
    logger: {
      debug: () => {},
      info: (m) => logger.debug(String(m)),
      warn: (m) => logger.warn(String(m)),
      error: (m) => logger.error(String(m)),
    },
  });

  const limits = operationLimits({ ...DEFAULT_LIMITS, ...options.limits }, 'gateway');
  const answers = new ResponseCache({ maxBytes: options.responseCacheBytes ?? 32 * 1024 * 1024, registry: options.registry });
  const bodyLimit = options.bodyLimit ?? 100 * 1024;
  const app = Fastify({
    bodyLimit,
    ...timedFastifyOptions(timeouts),
    routerOptions: { maxParamLength: MAX_SEGMENT_LENGTH },
    // Errors the router raises before any route runs (an over-long segment, a malformed URL).
    frameworkErrors: (error, request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const message =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? `a path segment is longer than ${MAX_SEGMENT_LENGTH} characters` : 'malformed URL';
      if (request.url.startsWith(NCR_PREFIX))
        void sendFailure(reply, [], 'BAD_USER_INPUT', `n and r must be decimal integers (${message})`);
      else void reply.code(400).send(errorBody(message, 'BAD_REQUEST'));
    },
    genReqId: requestIdOf,
  });
  guardSlowClients(app, timeouts, options.registry);
  guardJsonDepth(app);
  // Trace context, spans and request loggers; the gateway is the edge: it starts a trace id when the client sent none.
  const requestTrace = traceRequests(app, { originate: true, logger });
  let stopping = false;

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    ...hardenedApolloOptions({ production }),
    allowBatchedHttpRequests: false,
    ...(tuning.documentCache === false && { documentStore: null }),
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    plugins: [
      ...(limits.plugins as ApolloServerPlugin<GatewayContext>[]),
      // Before observeOperations: it counts and logs the errors as they go out, one of each.
      answerErrors<GatewayContext>(),
      observeOperations<GatewayContext>({ registry: options.registry, logger }),
      fastifyApolloDrainPlugin(app),
      // Apollo's cache-control plugin writes the policy the data sources merged, the adapter rewords it, then the cache
      // keeps what it allows (willSendResponse hooks run in this order).
      ApolloServerPluginCacheControl(),
      cachePolicyHeaders<GatewayContext>(),
      answers.plugin<GatewayContext>(),
      production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ footer: false, document: SANDBOX_OPERATION }),
    ],
  });
  await apollo.start();

  // Each request's context, kept for the refusals Apollo Server answers without its plugins.
  const contexts = new WeakMap<FastifyRequest, GatewayContext>();
  const newContext = (request: FastifyRequest, reply: FastifyReply): GatewayContext => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    const context: GatewayContext = {
      requestId: request.id,
      deadline: responseDeadline(reply.raw, Date.now() + requestTimeoutMs),
      trace: requestTrace(request),
      answerBytes: { remaining: maxResponseBytes, max: maxResponseBytes },
      answerCache: {},
    };
    contexts.set(request, context);
    return context;
  };

  if (options.registry) recordHttpMetrics(app, options.registry);

  app.get('/health', async () => ({ status: 'ok' }));
  const ready = readinessProbe(options.subgraphs, () => !stopping);
  app.get('/ready', async (_request, reply) => {
    const ok = await ready();
    return reply.code(ok ? 200 : 503).send({ ready: ok });
  });

  // Browsers on other origins may call the API, as Apollo's standalone server lets them (CSRF prevention stays on:
  // a cross-origin POST needs a preflight, which a page cannot forge).
  await app.register(fastifyCors, {
    origin: options.corsOrigins === undefined || options.corsOrigins === '*' ? '*' : [...options.corsOrigins],
  });
  if (options.compression !== false) await app.register(fastifyCompress, COMPRESSION_OPTIONS);
  // The REST route's OpenAPI description, from its own schema (untagged routes are left out).
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Exact nCr, REST',
        version: '1',
        description: 'The REST route of the tutorial this API descends from, exact for any size. GraphQL is at /graphql.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      // Relative: the description is served by the gateway it describes, whatever its host and port.
      servers: [{ url: '/', description: 'this gateway' }],
      // A public API: no credentials on any operation, said explicitly.
      security: [],
    },
    hideUntagged: true,
  });
  app.get('/api/openapi.json', async () => app.swagger());
  // The home page, and GraphiQL where Sandbox is served.
  await pages(app, { explorer: !production });

  // Requests whose refusal is counted already (by the REST route or the HTTP layer), so that onSend does not again.
  const counted = new WeakSet<FastifyRequest>();
  const refused = (request: FastifyRequest, code: ErrorCode, message: string): void => {
    counted.add(request);
    recordRefusal(options.registry, requestTrace(request).logger, code, message);
  };
  await app.register(ncrRoute, {
    apollo,
    answers,
    context: newContext,
    refused,
  });

  // Unknown routes and malformed or oversized bodies: JSON errors shaped like GraphQL's, never an HTML or stack page.
  // Set before the Apollo plugin registers, so that its routes inherit them.
  jsonErrorHandlers(app, { bodyLimit, logger, refused });
  // What Apollo Server refuses before its plugins run (CSRF prevention, batched requests) is counted here.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode >= 400 && request.url.startsWith('/graphql') && !counted.has(request)) {
      countRefusedAnswer(options.registry, requestTrace(request).logger, reply.statusCode, payload, contexts.get(request));
    }
    done(null, payload);
  });
  // Apollo Server's Fastify handler behind the cache of answers: a kept answer is sent without Apollo Server running.
  const handleGraphQL = fastifyApolloHandler(apollo, { context: async (request, reply) => newContext(request, reply) }) as (
    this: FastifyInstance,
    request: FastifyRequest,
    reply: FastifyReply,
  ) => Promise<unknown>;
  app.route({
    method: ['GET', 'POST', 'OPTIONS'],
    url: '/graphql',
    handler: async (request, reply) => {
      const cached = answers.graphqlAnswer(request);
      if (cached) return reply.headers(cached.headers).header(REQUEST_ID_HEADER, request.id).send(cached.body);
      let body: unknown;
      try {
        body = await handleGraphQL.call(app, request, reply);
        return body;
      } finally {
        // Kept if its policy allows; requests waiting for the same answer are woken either way.
        answers.storeGraphQLAnswer(contexts.get(request)?.answerCache, request.headers.accept, reply.getHeader('content-type'), body);
      }
    },
  });

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
      await Promise.all([...dataSources.values()].map((source) => source.close()));
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
