// Wiring of the gateway: Apollo Gateway on Apollo Server and Fastify, composed from named parts (the GraphQL route
// and the cache of answers, the REST route, the pages, probes, refusals, tracing); never binds by itself.

import type { GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import fastifyCompress from '@fastify/compress';
import fastifyCors from '@fastify/cors';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { DEFAULT_LIMITS, gatewayLimits, hardenedApolloOptions, observeOperations, type OperationLimits } from '../../lib/graphql';
import {
  defaultHttpTimeouts,
  errorBody,
  guardJsonDepth,
  guardSlowClients,
  jsonErrorHandlers,
  timedFastifyOptions,
  type HttpTimeouts,
} from '../../lib/http';
import { requestIdOf, silentLogger, traceRequests, type Logger } from '../../lib/observability';
import { REQUEST_ID_HEADER, responseDeadline } from '../../lib/request';
import { answerErrors } from './answer-errors';
import { answersPlugin } from './answers';
import type { ClientIdentity, KnownClient } from './clients';
import { createFleet } from './fleet';
import { quotaPlugin, type QuotaSettings } from './quotas';
import type { RedisSettings } from './redis';
import type { PersistedDocumentsMode } from './trusted-documents';
import { createApolloGateway } from './apollo-gateway';
import { cachePolicyHeaders } from './cache-policy';
import { COMPRESSION_OPTIONS } from './compression';
import type { GatewayContext } from './context';
import { graphqlRoute } from './graphql-route';
import { recordHttpMetrics } from './http-metrics';
import { pages } from './pages';
import { readinessProbe } from './readiness';
import { Refusals } from './refusals';
import { NCR_PREFIX, ncrRoute, sendFailure } from './rest';

export interface GatewayServerOptions {
  /** Each subgraph's /graphql by its name in the supergraph (math, ...); they override the supergraph's routing URLs. */
  subgraphs: Readonly<Record<string, string>>;
  /** The composed supergraph SDL (static, as Apollo advises for production); omitted: compose by introspection (development). */
  supergraphSdl?: string;
  /** Production mode: no introspection, no "did you mean", the production landing page, no GraphiQL. Default: true. */
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
  /** The fleet's Redis: answers, entity answers, persisted queries and quotas shared by every replica. Default: none. */
  redis?: RedisSettings;
  /** Clients known by name (CLIENTS_FILE). Default: none (every client is known by its address). */
  clients?: readonly KnownClient[];
  /** Proxies whose X-Forwarded-For is believed: addresses or CIDR ranges. Default: none. */
  trustedProxies?: readonly string[];
  /** Quotas of work. Default: none. */
  quotas?: Partial<QuotaSettings>;
  /** Trusted documents: the persisted query manifest and its mode (off, log, safelist, ids-only). Default: off. */
  persistedDocuments?: { mode: PersistedDocumentsMode; file?: string };
  /** Bytes of entity answers this process keeps; 0: no entity cache. Default: 8 MiB. */
  entityCacheBytes?: number;
  /** How a subgraph is called. Default: a SubgraphDataSource (undici keep-alive pool of 64 connections). */
  dataSource?: (subgraph: { name: string; url: string }) => GraphQLDataSource;
  /** Apollo Server's store of parsed and validated documents; null turns it off. Default: Apollo's (30 MiB). */
  documentStore?: null;
  /** MiB of query plans kept. Default: Apollo's (30). */
  queryPlanStoreMiB?: number;
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
  const bodyLimit = options.bodyLimit ?? 100 * 1024;
  let stopping = false;

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
    // X-Forwarded-For is believed only from the listed proxies: a client's address is otherwise its peer's.
    trustProxy: options.trustedProxies?.length ? [...options.trustedProxies] : false,
  });
  guardSlowClients(app, timeouts, options.registry);
  guardJsonDepth(app);
  // Trace context, spans and request loggers; the gateway is the edge: it starts a trace id when the client sent none.
  const traceOf = traceRequests(app, { originate: true, logger });
  const refusals = new Refusals(options.registry, traceOf);
  if (options.registry) recordHttpMetrics(app, options.registry);

  const quotaSettings = { workPerSecond: undefined, burst: undefined, maxResultDigits: 1_000_000, holdMs: 1000, ...options.quotas };
  const fleet = createFleet({
    redis: options.redis,
    answersBytes: options.responseCacheBytes ?? 32 * 1024 * 1024,
    entityBytes: options.entityCacheBytes ?? 8 * 1024 * 1024,
    clients: options.clients ?? [],
    quotas: quotaSettings,
    persistedDocuments: options.persistedDocuments,
    production,
    registry: options.registry,
    logger,
  });
  const { answers } = fleet;
  const { gateway, close: closeDataSources } = createApolloGateway({
    ...options,
    production,
    logger,
    wrap: (name, source) => fleet.entities.wrap(name, source),
  });
  const limits = gatewayLimits({ ...DEFAULT_LIMITS, ...options.limits });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    ...hardenedApolloOptions({ production }),
    allowBatchedHttpRequests: false,
    ...(options.documentStore === null && { documentStore: null }),
    // Automatic persisted queries registered through any replica are known to every replica.
    ...(fleet.persistedQueries && { persistedQueries: { cache: fleet.persistedQueries } }),
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    // willSendResponse hooks run in this order.
    plugins: [
      refusals.plugin<GatewayContext>(),
      ...(limits.plugins as ApolloServerPlugin<GatewayContext>[]),
      // Before observeOperations: it counts and logs the errors as they go out, one of each.
      answerErrors<GatewayContext>(),
      observeOperations<GatewayContext>({ registry: options.registry, logger }),
      fastifyApolloDrainPlugin(app),
      // Apollo's cache-control plugin writes the policy the data sources merged, the adapter rewords it, then the cache
      // of answers keeps what it allows.
      ApolloServerPluginCacheControl(),
      cachePolicyHeaders<GatewayContext>(),
      answersPlugin<GatewayContext>(answers, () => fleet.entities.clear()),
      // After the cache of answers: what it serves costs the route's unit alone.
      quotaPlugin<GatewayContext>(fleet.quotas, quotaSettings.maxResultDigits, fleet.tarpit),
      production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ footer: false, document: SANDBOX_OPERATION }),
    ],
  });
  await apollo.start();

  /** A request's context: its id, deadline, trace, the budget of its subgraphs' answers, and its cache handle. */
  const newContext = (request: FastifyRequest, reply: FastifyReply, client: ClientIdentity | undefined, cached = true): GatewayContext => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    const deadline = responseDeadline(reply.raw, Date.now() + requestTimeoutMs);
    const context: GatewayContext = {
      requestId: request.id,
      deadline,
      trace: traceOf(request),
      client,
      replyBudget: { remaining: maxResponseBytes, max: maxResponseBytes },
      answers: cached ? answers.ticket(deadline) : undefined,
    };
    refusals.attach(context, request);
    return context;
  };

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
  await describeRestRoute(app);
  // The home page, and GraphiQL where Sandbox is served.
  await pages(app, { explorer: !production });
  // The REST route's answers are kept by the cache as REST's (the GraphQL cache would keep them again, in GraphQL's shape).
  await app.register(ncrRoute, {
    apollo,
    answers,
    gate: fleet.gate,
    context: (request, reply, client) => newContext(request, reply, client, false),
    refused: (request, code, message) => refusals.record(request, code, message),
  });
  // Unknown routes and malformed or oversized bodies: JSON errors shaped like GraphQL's, never an HTML or stack page.
  // Set before the GraphQL route registers, so that it inherits them.
  jsonErrorHandlers(app, { bodyLimit, logger, refused: (request, code, message) => refusals.record(request, code, message) });
  refusals.watch(app);
  graphqlRoute(app, {
    apollo,
    answers,
    gate: fleet.gate,
    documents: fleet.documents,
    logger: (request) => traceOf(request).logger,
    context: newContext,
    refused: (request, code, message) => refusals.record(request, code, message),
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
      await closeDataSources();
      await fleet.close();
    },
  };
}

/** The REST route's OpenAPI description at /api/openapi.json, from its own schema (untagged routes are left out). */
async function describeRestRoute(app: import('fastify').FastifyInstance): Promise<void> {
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
}
