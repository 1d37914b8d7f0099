// Wiring of the gRPC factorial service: handlers, health, reflection, metrics; never binds by itself.

import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { context, type Context } from '@opentelemetry/api';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as HEALTH_PROTO_PATH } from 'grpc-health-check';
import { Counter, type Registry } from 'prom-client';
import { type BatchGetFactorialsRequest, type GetFactorialRequest, Representation } from '../../../generated/proto/factorial/v1/factorial';
import { FactorialServiceDefinition, type BatchReply, type FactorialReply } from './codec';
import { grpcCodeName } from '../../../lib/errors';
import { silentLogger, type Logger } from '../../../lib/logger';
import { isSaneRequestId, REQUEST_ID_HEADER, RequestLifetime } from '../../../lib/request-budget';
import { failSpan, incomingContext, installPropagator, logFields, metadataGetter, startServerSpan } from '../../../lib/telemetry';
import { projectPath } from '../../../lib/paths';
import { serverCredentials, type ServerTls } from '../../../lib/tls';
import { registerPoolGauge } from '../../../lib/metrics';
import { QueueFullError, TaskAbortedError, WorkerPool } from '../../../lib/worker-pool';
import { exponentBytes, valueBytes, warmUp } from './engine';
import { FactorialStore, type Kind, type SourceTally } from './factorial-store';
import type { WorkerTask } from './factorial-worker';
import { createGrpcServerMetrics } from './grpc-metrics';

export const SERVICE_NAME = 'factorial.v1.FactorialService';
export const PROTO_PATH = projectPath('proto/factorial/v1/factorial.proto');

export interface FactorialServerOptions {
  /** Largest n served; above it a request fails with INVALID_ARGUMENT. Default: 1,000,000. */
  maxN?: number;
  /** Most requests in one BatchGetFactorials call. Default: 1,000. */
  maxBatchSize?: number;
  /** Largest reply (estimated before any work) a call may ask for. Default: 64 MiB. */
  maxReplyBytes?: number;
  /** Worker threads. Default: cores minus one, at least 1. */
  workers?: number;
  /** Tasks that may wait for a worker; beyond it calls fail with RESOURCE_EXHAUSTED. Default: 64. */
  maxQueue?: number;
  /** Bytes of results cached across calls. Default: 128 MiB. */
  cacheBytes?: number;
  /** n! values up to this n are computed on the event loop (cheaper than a thread hop). Default: 1,500. */
  inlineValueMaxN?: number;
  /** Prime exponents up to this n are computed on the event loop. Default: 200,000. */
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

/** Largest reply any call can produce with these options: what a client's receive limit must allow. */
export const DEFAULT_MAX_REPLY_BYTES = 64 * 1024 * 1024;

class InvalidArgument extends Error {}

/** Builds the service (not listening yet). */
export function createFactorialServer(options: FactorialServerOptions = {}): FactorialServer {
  const maxN = options.maxN ?? 1_000_000;
  const maxBatchSize = options.maxBatchSize ?? 1000;
  const maxReplyBytes = options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
  const logger = options.logger ?? silentLogger;
  installPropagator();
  warmUp(maxN);

  const pool = new WorkerPool<WorkerTask, Uint8Array | Uint32Array>({
    script: path.join(__dirname, 'factorial-worker'),
    size: options.workers,
    maxQueue: options.maxQueue ?? 64,
  });
  const metrics = options.registry ? createServiceMetrics(options.registry, pool) : undefined;
  const countKeys = (requests: GetFactorialRequest[]): void => {
    for (const { representation } of requests) metrics?.onKey(kindOf(representation));
  };
  const store = new FactorialStore({
    pool,
    cacheBytes: options.cacheBytes ?? 128 * 1024 * 1024,
    inlineValueMaxN: options.inlineValueMaxN ?? 1500,
    inlineExponentsMaxN: options.inlineExponentsMaxN ?? 200_000,
    onCacheLookup: metrics?.onCacheLookup,
  });

  const checkRequests = (requests: GetFactorialRequest[]): void => {
    if (requests.length > maxBatchSize) {
      throw new InvalidArgument(`a batch may hold at most ${maxBatchSize} requests, but got: ${requests.length}`);
    }
    let replyBytes = 0;
    for (const { n, representation } of requests) {
      if (n > maxN) throw new InvalidArgument(`n must be at most ${maxN} (MAX_N), but got: ${n}`);
      if (!(representation in REPRESENTATION_KIND)) {
        throw new InvalidArgument(`representation must be one of 0, 1, 2, but got: ${String(representation)}`);
      }
      replyBytes += kindOf(representation) === 'value' ? valueBytes(n) : exponentBytes(n);
    }
    if (replyBytes > maxReplyBytes) {
      throw new InvalidArgument(`the reply would take about ${replyBytes} bytes, above the limit of ${maxReplyBytes}; split the batch`);
    }
  };

  const resolveAll = async (requests: GetFactorialRequest[], lifetime: RequestLifetime, tally: SourceTally): Promise<FactorialReply[]> => {
    // Duplicates in a batch are computed once.
    const unique = new Map<string, Promise<FactorialReply>>();
    const lookup = (request: GetFactorialRequest): Promise<FactorialReply> => {
      const kind = kindOf(request.representation);
      const key = `${kind}:${request.n}`;
      let pending = unique.get(key);
      if (!pending) {
        pending = store.get(kind, request.n, lifetime, tally).then((result) => toMessage(request.n, kind, result));
        unique.set(key, pending);
      }
      return pending;
    };
    return Promise.all(requests.map(lookup));
  };

  const handle = <Req, Res>(
    method: string,
    requestsOf: (request: Req) => GetFactorialRequest[],
    reply: (factorials: FactorialReply[]) => Res,
  ): grpc.handleUnaryCall<Req, Res> => {
    const spanName = `${SERVICE_NAME}/${method}`;
    const spanAttributes = { 'rpc.system': 'grpc', 'rpc.service': SERVICE_NAME, 'rpc.method': method };
    return (call, callback) => {
      // The caller's trace (traceparent in the metadata) and request id, for the spans and log lines of this call.
      const { span, context: active } = startServerSpan(spanName, callContext(call.metadata), spanAttributes);
      const callLogger = (): Logger => logger.child(logFields(active));
      const started = performance.now();
      // A cancelled call or an expired deadline (grpc-js enforces it and reports 'cancelled') stops the waiting,
      // and the work once nobody else waits for it. grpc-js reports 'cancelled' at the end of answered calls too,
      // when the lifetime is already finished; its AbortSignal is made only for a call that waits for a worker.
      const lifetime = new RequestLifetime();
      const done = (error: Partial<grpc.ServiceError> | null, response?: Res): void => {
        // A batch that failed on one key stops waiting for the others.
        if (error) lifetime.end();
        else lifetime.finish();
        const code = error?.code ?? grpc.status.OK;
        span.setAttribute('rpc.grpc.status_code', code);
        if (error) failSpan(span, new Error(error.details ?? ''), grpcCodeName(code));
        span.end();
        if (logger.isLevelEnabled('debug')) {
          callLogger().debug(
            { method, code: grpcCodeName(code), durationMs: Math.round((performance.now() - started) * 10) / 10 },
            'call served',
          );
        }
        if (error) callback(error);
        else callback(null, response);
      };
      context.with(active, () => {
        call.on('cancelled', () => lifetime.end());
        let requests: GetFactorialRequest[];
        try {
          requests = requestsOf(call.request);
          checkRequests(requests);
          countKeys(requests);
        } catch (error) {
          done(toServiceError(error, callLogger));
          return;
        }
        const tally: SourceTally = { cache: 0, inline: 0, worker: 0, shared: 0 };
        span.setAttribute('factorial.batch_size', requests.length);
        resolveAll(requests, lifetime, tally).then(
          (factorials) => {
            span.setAttributes({
              'factorial.from_cache': tally.cache,
              'factorial.computed_inline': tally.inline,
              'factorial.computed_in_worker': tally.worker,
              'factorial.shared_computation': tally.shared,
            });
            done(null, reply(factorials));
          },
          (error: unknown) => done(toServiceError(error, callLogger)),
        );
      });
    };
  };

  const grpcMetrics = options.registry ? createGrpcServerMetrics(options.registry) : undefined;
  const instrument = <Req, Res>(method: string, handler: grpc.handleUnaryCall<Req, Res>): grpc.handleUnaryCall<Req, Res> =>
    grpcMetrics ? grpcMetrics.instrument(SERVICE_NAME, method, handler) : handler;

  const server = new grpc.Server();
  // The generated definition with the fast reply codecs (codec.ts): the same bytes, a fraction of the time.
  server.addService(FactorialServiceDefinition, {
    getFactorial: instrument(
      'GetFactorial',
      handle<GetFactorialRequest, FactorialReply>(
        'GetFactorial',
        (request) => [request],
        (factorials) => factorials[0]!,
      ),
    ),
    batchGetFactorials: instrument(
      'BatchGetFactorials',
      handle<BatchGetFactorialsRequest, BatchReply>(
        'BatchGetFactorials',
        (request) => request.requests,
        (factorials) => ({ factorials }),
      ),
    ),
  });

  const health = new HealthImplementation({ '': 'SERVING', [SERVICE_NAME]: 'SERVING' });
  health.addToServer(server);
  new ReflectionService(protoLoader.loadSync([PROTO_PATH, HEALTH_PROTO_PATH])).addToServer(server);
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

const REPRESENTATION_KIND: Record<number, Kind> = {
  [Representation.REPRESENTATION_UNSPECIFIED]: 'value',
  [Representation.REPRESENTATION_VALUE]: 'value',
  [Representation.REPRESENTATION_PRIME_EXPONENTS]: 'exponents',
};

function kindOf(representation: Representation): Kind {
  return REPRESENTATION_KIND[representation] ?? 'value';
}

function toMessage(n: number, kind: Kind, result: Uint8Array | Uint32Array): FactorialReply {
  if (kind === 'value') {
    return { n, value: Buffer.from(result.buffer, result.byteOffset, result.byteLength), primeExponents: [] };
  }
  // The store's array as it is: the codec keeps its packed varints beside it, so a cached reply is a copy.
  return { n, value: Buffer.alloc(0), primeExponents: result as Uint32Array };
}

/** The parent context of a call: the caller's trace from `traceparent`, and its request id when it is a sane one. */
function callContext(metadata: grpc.Metadata): Context {
  const requestId = metadata.get(REQUEST_ID_HEADER)[0];
  return incomingContext(metadata, metadataGetter, isSaneRequestId(requestId) ? requestId : undefined);
}

function toServiceError(error: unknown, logger: () => Logger): Partial<grpc.ServiceError> {
  if (error instanceof InvalidArgument) return { code: grpc.status.INVALID_ARGUMENT, details: error.message };
  if (error instanceof QueueFullError) {
    return { code: grpc.status.RESOURCE_EXHAUSTED, details: `the factorial service is saturated (${error.message}); retry later` };
  }
  if (error instanceof TaskAbortedError) return { code: grpc.status.CANCELLED, details: 'the call was cancelled' };
  logger().error({ err: error }, 'unexpected error in a factorial call');
  return { code: grpc.status.INTERNAL, details: 'internal error' };
}

function createServiceMetrics(registry: Registry, pool: WorkerPool<WorkerTask, Uint8Array | Uint32Array>) {
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
    onCacheLookup: (kind: Kind, hit: boolean) => lookups.inc({ representation: kind, result: hit ? 'hit' : 'miss' }),
    onKey: (kind: Kind) => keys.inc({ representation: kind }),
  };
}
