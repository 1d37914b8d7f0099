// Wiring of the gateway: Apollo Gateway on Apollo Server and Express, the REST route, Sandbox, probes; never binds by itself.

import * as http from 'node:http';
import { ApolloGateway, IntrospectAndCompose } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request, type Response } from 'express';
import { Histogram, type Registry } from 'prom-client';
import { createErrorFormatter } from '../../lib/format-error';
import { listenHttp } from '../../lib/listen';
import { LATENCY_BUCKETS } from '../../lib/metrics';
import { silentLogger, type Logger } from '../../lib/logger';
import type { GatewayContext } from './context';
import { BudgetedDataSource } from './data-source';
import { createNcrRoute } from './rest';
import { createSubgraphFetcher } from './subgraph-fetcher';

export interface GatewayServerOptions {
  /** URL of the math subgraph's /graphql; overrides the supergraph's routing URL. */
  mathUrl: string;
  /** The composed supergraph SDL (static, as Apollo advises for production); omitted: compose by introspection (development). */
  supergraphSdl?: string;
  /** Production mode: no introspection, no "did you mean", the production landing page. Default: false. */
  production?: boolean;
  /** Time budget of each request. Default: 30,000 ms. */
  requestTimeoutMs?: number;
  /** Bytes of REST answers kept (they never change). Default: 16 MiB. */
  restCacheBytes?: number;
  /** Largest request body. Default: 100 KB. */
  bodyLimit?: string;
  registry?: Registry;
  logger?: Logger;
}

export interface GatewayServer {
  /** Binds host:port (0 for a free port) and resolves with the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** /ready turns false, in-flight requests finish, then everything stops. */
  stop(): Promise<void>;
  /** Whether the supergraph is loaded and the math subgraph answers. */
  isReady(): Promise<boolean>;
}

const SANDBOX_OPERATION = '{\n  ncr(n: 10, r: 3)\n  factorial(n: 25)\n}\n';

export async function createGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const logger = options.logger ?? silentLogger;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const subgraphHttp = createSubgraphFetcher({ timeoutMs: requestTimeoutMs + 5_000 });
  const gateway = new ApolloGateway({
    ...(options.supergraphSdl
      ? { supergraphSdl: options.supergraphSdl }
      : { supergraphSdl: new IntrospectAndCompose({ subgraphs: [{ name: 'math', url: options.mathUrl }] }) }),
    buildService: () => new BudgetedDataSource({ url: options.mathUrl, fetcher: subgraphHttp.fetcher }),
    logger: {
      debug: () => {},
      info: (m) => logger.debug(String(m)),
      warn: (m) => logger.warn(String(m)),
      error: (m) => logger.error(String(m)),
    },
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const httpServer = http.createServer(app);
  let stopping = false;

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    csrfPrevention: true,
    // main.ts owns the signals: Apollo's own handlers would stop the server and re-raise the signal.
    stopOnTerminationSignals: false,
    introspection: !options.production,
    hideSchemaDetailsFromClientErrors: options.production ?? false,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      options.production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ footer: false, document: SANDBOX_OPERATION }),
    ],
  });
  await apollo.start();

  const newContext = (): GatewayContext => ({ deadline: Date.now() + requestTimeoutMs });

  if (options.registry) app.use(httpMetrics(options.registry));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const ready = readinessProbe(options.mathUrl, () => !stopping);
  app.get('/ready', async (_req, res) => {
    const ok = await ready();
    res.status(ok ? 200 : 503).json({ ready: ok });
  });
  if (options.registry) {
    const registry = options.registry;
    app.get('/metrics', async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    });
  }

  const ncr = createNcrRoute(apollo, options.restCacheBytes ?? 16 * 1024 * 1024);
  app.get('/api/ncr/:n/:r', async (req: Request<{ n: string; r: string }>, res: Response) => {
    const reply = await ncr.handle(req.params.n, req.params.r, newContext());
    res.status(reply.status).type('application/json');
    res.setHeader('cache-control', reply.immutable ? 'public, max-age=31536000, immutable' : 'no-store');
    res.send(reply.body);
  });

  app.use(
    '/graphql',
    express.json({ limit: options.bodyLimit ?? '100kb' }),
    expressMiddleware(apollo, { context: async () => newContext() }),
  );

  // Unknown routes and malformed bodies: JSON errors, never an HTML stack page.
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: express.NextFunction) => {
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error('unexpected error in the HTTP layer', error);
    res.status(status).json({
      error: status === 500 ? 'internal server error' : error.type === 'entity.too.large' ? 'request body too large' : 'bad request',
    });
  });

  return {
    listen: (host, port) => listenHttp(httpServer, host, port),
    isReady: ready,
    async stop() {
      stopping = true;
      await apollo.stop();
      await subgraphHttp.close();
    },
  };
}

/** Records http_request_duration_seconds by method, route pattern (never the raw path) and status. */
function httpMetrics(registry: Registry): express.RequestHandler {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests served by the gateway, by method, route and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : req.baseUrl || 'unmatched';
      duration.observe({ method: req.method, route, status_code: String(res.statusCode) }, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
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
