// Starts the real factorial service, math and primes subgraphs (and the gateway, when asked) on port 0, in process.

import * as fs from 'node:fs';
import type { Registry } from 'prom-client';
import type { SubgraphServer } from '../lib/graphql';
import { closeHttp } from '../lib/http';
import { createMetricsRegistry, createProbeServer } from '../lib/observability';
import { clientCredentials, type ClientTls } from '../lib/grpc';
import { createGatewayServer, type GatewayServer, type GatewayServerOptions } from '../gateway/src/server';
import { projectPath } from '../lib/config';
import { createFactorialClient, FactorialBatches } from '../services/factorial/client';
import { createFactorialServer, type FactorialServer, type FactorialServerOptions } from '../services/factorial/src/server';
import { MathService, type MathServiceOptions } from '../subgraphs/math/src/math';
import { createMathServer, type MathServerOptions } from '../subgraphs/math/src/server';
import { PrimesService, type PrimesServiceOptions } from '../subgraphs/primes/src/primes';
import { createPrimesServer, type PrimesServerOptions } from '../subgraphs/primes/src/server';

// As the gateway's main.ts does: an in-process gateway reports nothing to Apollo and probes no cloud metadata endpoint.
process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';

export interface StackOptions {
  factorial?: FactorialServerOptions;
  math?: Omit<MathServiceOptions, 'factorials' | 'registry'>;
  mathServer?: Omit<MathServerOptions, 'math' | 'registry'>;
  primes?: Omit<PrimesServiceOptions, 'factorials' | 'registry'>;
  primesServer?: Omit<PrimesServerOptions, 'primes' | 'registry'>;
  /** How the subgraph's client reaches the factorial service. Default: plaintext. */
  clientTls?: ClientTls;
  /** Also start the gateway (on the committed supergraph unless told otherwise). */
  gateway?: boolean | Partial<Omit<GatewayServerOptions, 'subgraphs' | 'registry'>>;
}

export interface Stack {
  factorialAddress: string;
  mathUrl: string;
  primesUrl: string;
  /** The gateway's base URL (no path), when started. */
  gatewayUrl: string;
  /** The gateway's /metrics, on a port of its own (as main.ts serves it), when started. */
  gatewayMetricsUrl: string;
  factorialRegistry: Registry;
  gatewayRegistry: Registry;
  gateway: GatewayServer | undefined;
  /** The subgraph's math service (its worker pool's stats). */
  math: MathService;
  mathRegistry: Registry;
  /** The primes subgraph's service (its worker pool's stats). */
  primes: PrimesService;
  primesRegistry: Registry;
  /** Stops the factorial service (the subgraph keeps running). */
  stopFactorial(): Promise<void>;
  /** Starts a fresh factorial service on the same port. */
  startFactorial(): Promise<void>;
  /** Stops the math subgraph (the gateway keeps running). */
  stopMath(): Promise<void>;
  /** Stops the primes subgraph (the gateway keeps running). */
  stopPrimes(): Promise<void>;
  /** Starts a fresh primes subgraph on the same port. */
  startPrimes(): Promise<void>;
  /** Tears everything down in reverse order. */
  stop(): Promise<void>;
}

/** The subgraphs' memory budget as their main.ts sets it by default (MEMORY_BUDGET_MB=256, 32 waiting). */
const DEFAULT_MEMORY = { bytes: 256 * 1024 * 1024, maxWaiting: 32 };

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  let factorialRegistry = createMetricsRegistry();
  let factorial: FactorialServer | undefined = createFactorialServer({ registry: factorialRegistry, ...options.factorial });
  const factorialPort = await factorial.listen('127.0.0.1', 0);
  const factorialAddress = `127.0.0.1:${factorialPort}`;

  const mathRegistry = createMetricsRegistry();
  const client = createFactorialClient(factorialAddress, { credentials: clientCredentials(options.clientTls), registry: mathRegistry });
  const math = new MathService({
    factorials: new FactorialBatches(client, { registry: mathRegistry, memory: DEFAULT_MEMORY }),
    registry: mathRegistry,
    ...options.math,
  });
  const mathServer = await createMathServer({ math, registry: mathRegistry, ...options.mathServer });
  const mathPort = await mathServer.listen('127.0.0.1', 0);
  const mathUrl = `http://127.0.0.1:${mathPort}/graphql`;

  // The primes subgraph: a process of its own in production, so a factorial client and registry of its own here.
  let primesRegistry = createMetricsRegistry();
  let primesClient = createFactorialClient(factorialAddress, {
    credentials: clientCredentials(options.clientTls),
    registry: primesRegistry,
  });
  const newPrimes = (registry: Registry) =>
    new PrimesService({
      factorials: new FactorialBatches(primesClient, { registry, memory: DEFAULT_MEMORY }),
      registry,
      workers: 1,
      ...options.primes,
    });
  let primes = newPrimes(primesRegistry);
  let primesServer: SubgraphServer | undefined = await createPrimesServer({ primes, registry: primesRegistry, ...options.primesServer });
  const primesPort = await primesServer.listen('127.0.0.1', 0);
  const primesUrl = `http://127.0.0.1:${primesPort}/graphql`;

  const gatewayRegistry = createMetricsRegistry();
  let gateway: GatewayServer | undefined;
  let gatewayUrl = '';
  let gatewayMetricsUrl = '';
  let gatewayProbes: ReturnType<typeof createProbeServer> | undefined;
  if (options.gateway) {
    gateway = await createGatewayServer({
      subgraphs: { math: mathUrl, primes: primesUrl },
      supergraphSdl: fs.readFileSync(projectPath('supergraph.graphql'), 'utf8'),
      registry: gatewayRegistry,
      ...(typeof options.gateway === 'object' ? options.gateway : {}),
    });
    gatewayUrl = `http://127.0.0.1:${await gateway.listen('127.0.0.1', 0)}`;
    gatewayProbes = createProbeServer({ registry: gatewayRegistry, isHealthy: () => true });
    gatewayMetricsUrl = `http://127.0.0.1:${await gatewayProbes.listen('127.0.0.1', 0)}/metrics`;
  }

  const stack: Stack = {
    factorialAddress,
    mathUrl,
    primesUrl,
    gatewayUrl,
    gatewayMetricsUrl,
    gatewayRegistry,
    gateway,
    math,
    get primes() {
      return primes;
    },
    get primesRegistry() {
      return primesRegistry;
    },
    get factorialRegistry() {
      return factorialRegistry;
    },
    mathRegistry,
    async stopFactorial() {
      await factorial?.shutdown(0);
      factorial = undefined;
    },
    async startFactorial() {
      factorialRegistry = createMetricsRegistry();
      factorial = createFactorialServer({ registry: factorialRegistry, ...options.factorial });
      await factorial.listen('127.0.0.1', factorialPort);
    },
    async stopMath() {
      await mathServer.stop();
    },
    async stopPrimes() {
      await primesServer?.stop();
      primesServer = undefined;
      primesClient.close();
    },
    async startPrimes() {
      primesRegistry = createMetricsRegistry();
      primesClient = createFactorialClient(factorialAddress, {
        credentials: clientCredentials(options.clientTls),
        registry: primesRegistry,
      });
      primes = newPrimes(primesRegistry);
      primesServer = await createPrimesServer({ primes, registry: primesRegistry, ...options.primesServer });
      await primesServer.listen('127.0.0.1', primesPort);
    },
    async stop() {
      await gateway?.stop();
      if (gatewayProbes) await closeHttp(gatewayProbes.server);
      await mathServer.stop();
      await primesServer?.stop();
      client.close();
      primesClient.close();
      await factorial?.shutdown(0);
    },
  };
  return stack;
}

/** The value of a counter or histogram series whose labels include `labels` (0 if absent). */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric named ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .filter((v) => !('metricName' in v) || v.metricName === name || v.metricName === `${name}_count`)
    .reduce((sum, v) => sum + v.value, 0);
}

/** BatchGetFactorials calls the factorial service has answered, whatever their code. */
export function batchCalls(stack: Stack): Promise<number> {
  return metricValue(stack.factorialRegistry, 'grpc_server_handled_total', { grpc_method: 'BatchGetFactorials' });
}

/** Keys the factorial service has received, duplicates included. */
export function keysReceived(stack: Stack): Promise<number> {
  return metricValue(stack.factorialRegistry, 'factorial_keys_total');
}

export interface GraphQLResponse<T = Record<string, string>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; stacktrace?: unknown } }[];
}

/** POSTs a GraphQL operation over HTTP and returns the status and parsed body. */
export async function graphql<T = Record<string, string>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: response.status, ...body };
}
