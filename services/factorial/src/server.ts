// Wiring of the gRPC factorial service: its two methods, health, reflection and metrics; never binds by itself.

import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as HEALTH_PROTO_PATH } from 'grpc-health-check';
import { Counter, type Registry } from 'prom-client';
import { serverCredentials, serverCallMetrics, type ServerTls } from '../../../lib/grpc';
import { silentLogger, type Logger } from '../../../lib/observability';
import { Admission, registerAdmissionMetrics } from '../../../lib/admission';
import { registerPoolGauge, WorkerPool } from '../../../lib/workers';
import {
  FactorialServiceDefinition,
  MAX_BATCH_SIZE,
  MAX_REPLY_BYTES,
  PROTO_PATH,
  replyBytes,
  representationName,
  SERVICE_NAME,
  type BatchGetFactorialsRequest,
  type BatchReply,
  type FactorialReply,
  type GetFactorialRequest,
  type RepresentationName,
} from '../contract';
import { CallError, unaryCall, type CallScope } from './call-scope';
import { FACTORIAL_DEFAULTS } from './config';
import { warmUp } from './engine';
import { replyBudgetInterceptor } from './reply-budget';
import { FactorialStore, type Result, type SourceTally } from './factorial-store';
import type { FactorialTask } from './factorial-worker';

export interface FactorialServerOptions {
  /** Largest n served; above it a request fails with INVALID_ARGUMENT. Default: MAX_N's. */
  maxN?: number;
  /** Worker threads. Default: cores minus one, at least 1. */
  workers?: number;
  /** Calls that may wait for a worker, or for their share of memory; beyond it RESOURCE_EXHAUSTED. Default: FACTORIAL_MAX_QUEUE's. */
  maxQueue?: number;
  /** Bytes the replies of calls in flight may take (estimated before any work); calls wait for their share. Default: MEMORY_BUDGET_MB's. */
  memoryBytes?: number;
  /** Bytes of results cached across calls. Default: FACTORIAL_CACHE_MB's. */
  cacheBytes?: number;
  /** n! values up to this n are computed on the event loop (cheaper than a thread hop). Default: 1,500. */
  inlineValueMaxN?: number;
  /** Prime exponents up to this n are computed on the event loop (about 0.1 ms each); above, on a worker thread. Default: 50,000. */
  inlineExponentsMaxN?: number;
  /** TLS (and mutual TLS with a client CA). Default: plaintext. */
  tls?: ServerTls;
  /** Where metrics are registered. Default: none kept. */
  registry?: Registry;
  logger?: Logger;
}

export interface FactorialServer {
  /** Binds host:port (0 for a free port) and resolves with the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** Health reports NOT_SERVING; calls are still served. */
  announceShutdown(): void;
  /** Health reports NOT_SERVING, in-flight calls get graceMs to finish, then the rest are cancelled. */
  shutdown(graceMs: number): Promise<void>;
  /** Whether the health service reports SERVING. */
  readonly serving: boolean;
}

/** Builds the service (not listening yet). */
export function createFactorialServer(options: FactorialServerOptions = {}): FactorialServer {
  const maxN = options.maxN ?? FACTORIAL_DEFAULTS.maxN;
  const maxQueue = options.maxQueue ?? FACTORIAL_DEFAULTS.maxQueue;
  const logger = options.logger ?? silentLogger;
  warmUp(maxN);

  const pool = new WorkerPool<FactorialTask, Result>({
    script: path.join(__dirname, 'factorial-worker'),
    size: options.workers,
    maxQueue,
  });
  const admission = new Admission({ capacity: options.memoryBytes ?? FACTORIAL_DEFAULTS.memoryBytes, maxWaiting: maxQueue });
  const metrics = options.registry ? createServiceMetrics(options.registry, pool, admission) : undefined;
  const store = new FactorialStore({
    pool,
    cacheBytes: options.cacheBytes ?? FACTORIAL_DEFAULTS.cacheBytes,
    inlineValueMaxN: options.inlineValueMaxN ?? 1500,
    inlineExponentsMaxN: options.inlineExponentsMaxN ?? 50_000,
    onCacheLookup: metrics?.onCacheLookup,
  });

  /** Every factorial of a call, in request order; duplicates are computed once. */
  const resolve = async (requests: GetFactorialRequest[], scope: CallScope): Promise<FactorialReply[]> => {
    const keys = checkRequests(requests, maxN);
    for (const { representation } of keys) metrics?.onKey(representation);
    const tally: SourceTally = { cache: 0, inline: 0, worker: 0, shared: 0 };
    scope.span.setAttribute('factorial.batch_size', requests.length);
    const unique = new Map<string, Promise<FactorialReply>>();
    const replies = await Promise.all(
      keys.map(({ n, representation }) => {
        const key = `${representation}:${n}`;
        let reply = unique.get(key);
        if (!reply) {
          // The call is the pool's owner of its tasks: it is admitted whole, or refused whole.
          reply = store.get(representation, n, scope.deadline, scope, tally).then((result) => toMessage(n, representation, result));
          unique.set(key, reply);
        }
        return reply;
      }),
    );
    scope.span.setAttributes({
      'factorial.from_cache': tally.cache,
      'factorial.computed_inline': tally.inline,
      'factorial.computed_in_worker': tally.worker,
      'factorial.shared_computation': tally.shared,
    });
    return replies;
  };

  // One interceptor, the budget's, records the metrics too: a call the budget refuses is counted with its code.
  const budget = replyBudgetInterceptor(
    admission,
    (path, request) => REPLY_HELD_PER_BYTE * estimateReply(path, request, maxN),
    options.registry && serverCallMetrics(options.registry),
  );
  const server = new grpc.Server({
    interceptors: [budget],
    // Channelz (introspection this service never serves) counts and timestamps every call.
    'grpc.enable_channelz': 0,
  });
  // The generated definition with the fast reply codecs: the same bytes, a fraction of the time.
  server.addService(FactorialServiceDefinition, {
    getFactorial: unaryCall<GetFactorialRequest, FactorialReply>('GetFactorial', logger, async (request, scope) => {
      const [reply] = await resolve([request], scope);
      return reply!;
    }),
    batchGetFactorials: unaryCall<BatchGetFactorialsRequest, BatchReply>('BatchGetFactorials', logger, async (request, scope) => ({
      factorials: await resolve(request.requests, scope),
    })),
  });

  const health = new HealthImplementation({ '': 'SERVING', [SERVICE_NAME]: 'SERVING' });
  health.addToServer(server);
  // The proto's own field names (prime_exponents), as grpcurl and code generators expect them.
  new ReflectionService(protoLoader.loadSync([PROTO_PATH, HEALTH_PROTO_PATH], { keepCase: true })).addToServer(server);
  let serving = true;

  return {
    get serving() {
      return serving;
    },
    listen(host, port) {
      const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
      return new Promise((resolve, reject) => {
        server.bindAsync(address, serverCredentials(options.tls), (error, bound) => (error ? reject(error) : resolve(bound)));
      });
    },
    announceShutdown() {
      serving = false;
      health.setStatus('', 'NOT_SERVING');
      health.setStatus(SERVICE_NAME, 'NOT_SERVING');
    },
    async shutdown(graceMs) {
      this.announceShutdown();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logger.warn(`calls still running after ${graceMs} ms; cancelling them`);
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await pool.close();
    },
  };
}

/** The requests with their representations named, or a CallError (INVALID_ARGUMENT) saying what is wrong with them. */
/** Bytes a call holds per estimated reply byte: its results (cached or not) and the encoded reply being sent. */
const REPLY_HELD_PER_BYTE = 2;

/** The estimated reply of a call to `path` with this request (n capped at MAX_N: a larger one is refused anyway). */
function estimateReply(path: string, request: unknown, maxN: number): number {
  const requests = path.endsWith('/BatchGetFactorials')
    ? (request as BatchGetFactorialsRequest).requests
    : path.endsWith('/GetFactorial')
      ? [request as GetFactorialRequest]
      : [];
  return requests.reduce((sum, r) => sum + replyBytes({ n: Math.min(r.n, maxN), representation: r.representation }), 0);
}

function checkRequests(requests: GetFactorialRequest[], maxN: number): { n: number; representation: RepresentationName }[] {
  if (requests.length > MAX_BATCH_SIZE) {
    throw new CallError(grpc.status.INVALID_ARGUMENT, `a batch may hold at most ${MAX_BATCH_SIZE} requests, but got: ${requests.length}`);
  }
  let bytes = 0;
  const keys = requests.map((request) => {
    const representation = representationName(request.representation);
    if (request.n > maxN) throw new CallError(grpc.status.INVALID_ARGUMENT, `n must be at most ${maxN} (MAX_N), but got: ${request.n}`);
    if (!representation) {
      throw new CallError(
        grpc.status.INVALID_ARGUMENT,
        `representation must be one of 0, 1, 2, but got: ${String(request.representation)}`,
      );
    }
    bytes += replyBytes(request);
    return { n: request.n, representation };
  });
  if (bytes > MAX_REPLY_BYTES) {
    throw new CallError(
      grpc.status.INVALID_ARGUMENT,
      `the reply would take about ${bytes} bytes, above the limit of ${MAX_REPLY_BYTES}; split the batch`,
    );
  }
  return keys;
}

function toMessage(n: number, representation: RepresentationName, result: Result): FactorialReply {
  if (representation === 'value') {
    return { n, value: Buffer.from(result.buffer, result.byteOffset, result.byteLength), primeExponents: [] };
  }
  // The store's array as it is: the codec keeps its packed varints beside it, so a cached reply is a copy.
  return { n, value: Buffer.alloc(0), primeExponents: result as Uint32Array };
}

function createServiceMetrics(registry: Registry, pool: WorkerPool<FactorialTask, Result>, admission: Admission) {
  registerAdmissionMetrics(registry, () => admission.stats());
  const lookups = new Counter({
    name: 'factorial_cache_lookups_total',
    help: 'Factorial cache lookups, by representation and result (hit or miss).',
    labelNames: ['representation', 'result'],
    registers: [registry],
  });
  registerPoolGauge(registry, 'factorial_worker_pool_tasks', 'Worker pool tasks, by state (busy or queued).', () => pool.stats());
  const keys = new Counter({
    name: 'factorial_keys_total',
    help: 'Factorials requested (keys in accepted calls, duplicates included), by representation.',
    labelNames: ['representation'],
    registers: [registry],
  });
  return {
    onCacheLookup: (representation: RepresentationName, hit: boolean) => lookups.inc({ representation, result: hit ? 'hit' : 'miss' }),
    onKey: (representation: RepresentationName) => keys.inc({ representation }),
  };
}
