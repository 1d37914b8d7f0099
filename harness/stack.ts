// Starts the real factorial service, math and primes subgraphs (and the gateway, when asked) on port 0, in process.

import * as fs from 'node:fs';
import type { Registry } from 'prom-client';
import { closeHttp } from '../lib/http';
import { createMetricsRegistry, createProbeServer } from '../lib/observability';
import type { ClientTls } from '../lib/grpc';
import { createGatewayServer, type GatewayServer, type GatewayServerOptions } from '../gateway/src/server';
import { projectPath } from '../lib/config';
import { createFactorialServer, type FactorialServer, type FactorialServerOptions } from '../services/factorial/src/server';
import { assembleSubgraph, type AssembledSubgraph, type SubgraphServerOverrides } from '../lib/subgraph';
import type { MathService, MathSettings } from '../subgraphs/math/src/math';
import { mathSubgraph } from '../subgraphs/math/src/subgraph';
import type { PrimesService, PrimesSettings } from '../subgraphs/primes/src/primes';
import { primesSubgraph } from '../subgraphs/primes/src/subgraph';

// As the gateway's main.ts does: an in-process gateway reports nothing to Apollo and probes no cloud metadata endpoint.
process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';

export interface StackOptions {
  factorial?: FactorialServerOptions;
  /** The math service's settings, over those its settings reader gives an empty environment. */
  math?: Partial<MathSettings>;
  mathServer?: SubgraphServerOverrides;
  /** The primes service's settings, over those its settings reader gives an empty environment. */
  primes?: Partial<PrimesSettings>;
  primesServer?: SubgraphServerOverrides;
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

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  let factorialRegistry = createMetricsRegistry();
  let factorial: FactorialServer | undefined = createFactorialServer({ registry: factorialRegistry, ...options.factorial });
  const factorialPort = await factorial.listen('127.0.0.1', 0);
  const factorialAddress = `127.0.0.1:${factorialPort}`;
  // Each subgraph as its process builds it, on the defaults of its settings, reaching this factorial service.
  const factorialSettings = { address: factorialAddress, tls: options.clientTls };

  const mathRegistry = createMetricsRegistry();
  const math = await assembleSubgraph(
    mathSubgraph,
    { ...mathSubgraph.loadConfig({}), factorial: factorialSettings },
    { registry: mathRegistry, service: options.math, server: options.mathServer },
  );
  const mathPort = await math.server.listen('127.0.0.1', 0);
  const mathUrl = `http://127.0.0.1:${mathPort}/graphql`;

  // The primes subgraph: a process of its own in production, so a factorial client and registry of its own here.
  let primesRegistry = createMetricsRegistry();
  const newPrimes = (registry: Registry) =>
    assembleSubgraph(
      primesSubgraph,
      { ...primesSubgraph.loadConfig({}), factorial: factorialSettings },
      { registry, service: options.primes, server: options.primesServer },
    );
  let primes: AssembledSubgraph<PrimesService> | undefined = await newPrimes(primesRegistry);
  let primesService = primes.service;
  const primesPort = await primes.server.listen('127.0.0.1', 0);
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
    math: math.service,
    get primes() {
      return primesService;
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
      await math.server.stop();
    },
    async stopPrimes() {
      await primes?.close();
      primes = undefined;
    },
    async startPrimes() {
      primesRegistry = createMetricsRegistry();
      primes = await newPrimes(primesRegistry);
      primesService = primes.service;
      await primes.server.listen('127.0.0.1', primesPort);
    },
    async stop() {
      await gateway?.stop();
      if (gatewayProbes) await closeHttp(gatewayProbes.server);
      await math.close();
      await primes?.close();
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
