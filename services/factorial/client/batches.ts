// BatchGetFactorials for one request at a time: its loader, its deadline, its id and trace in the metadata, its share
// of the process's memory for replies, the batch-size histogram and the grpc_client_* metrics, on the process's one
// client.

import { Metadata } from '@grpc/grpc-js';
import { propagation, SpanKind, type Attributes } from '@opentelemetry/api';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { clientCallMetrics, rpcSpanAttributes, rpcStatusAttributes, type ClientCallMetrics } from '../../../lib/grpc';
import { inSpan, isRecording, metadataSetter } from '../../../lib/observability';
import { REQUEST_ID_HEADER, type RequestScope } from '../../../lib/request';
import { Admission, registerAdmissionMetrics } from '../../../lib/admission';
import { byteCache, type ByteCache } from '../../../lib/cache';
import { FactorialLoader, type FactorialLoaderOptions } from './batch-loader';
import type { FactorialMessage } from '../contract';
import type { FactorialClient } from './client';
import { MAX_BATCH_SIZE, MAX_REPLY_BYTES, replyBytes, representationName, SERVICE_NAME, type GetFactorialRequest } from '../contract';

/**
 * Bytes a request holds per estimated reply byte: the reply as it arrives, the exponents decoded into Uint32Arrays
 * (4 bytes where the wire takes about 2), and the copies handed to worker threads.
 */
const HELD_PER_REPLY_BYTE = 3;

/**
 * The smallest reply (estimated, on the wire) whose prime exponents a process keeps, when it keeps any: 32 KiB, the
 * exponents of n! from n of about 116,000. Below it a call's cost is its fixed part, not its bytes, and each operation
 * keeps its one call; above it, decoding and carrying the reply cost milliseconds (0.3 MB for 10^6!), which a repeated
 * big operation no longer pays.
 */
export const MIN_KEPT_REPLY_BYTES = 32 * 1024;

/** Bytes a kept entry is counted for besides its exponents (the message, lru-cache's bookkeeping). */
const KEPT_ENTRY_OVERHEAD = 96;

export interface FactorialBatchesOptions extends Partial<Omit<FactorialLoaderOptions, 'maxKeys'>> {
  /** Where factorial_batch_size, grpc_client_* and the admission_* metrics are registered. Default: none kept. */
  registry?: Registry;
  /**
   * The process's memory budget for what its requests hold of the service's replies: a request waits for its share
   * before its first call (within its deadline), and is refused when `maxWaiting` already wait. Default: none.
   */
  memory?: { bytes: number; maxWaiting: number };
  /**
   * Bytes of big factorials' prime exponents (replies of MIN_KEPT_REPLY_BYTES or more) the process keeps, least
   * recently used first, so that later requests take them without a call. Exponents never change; each kept reply is
   * shared by every request that reads it, which must not write to it or transfer its buffer. Default: 0, none kept.
   */
  keptExponentBytes?: number;
}

/** What a request may add to its loader: a limit on its factorials, a step before each call (say, waiting for memory). */
export interface RequestBatchOptions extends Pick<FactorialLoaderOptions, 'maxKeys'> {
  /** Bytes the request holds besides the replies (its results, say), counted when it asks for its share of memory. */
  otherBytes?: () => number;
}

/** The process-wide side: one client, one histogram; a loader per request. */
export class FactorialBatches {
  private readonly batchSize: Histogram | undefined;
  private readonly callMetrics: ClientCallMetrics | undefined;
  private readonly limits: Omit<FactorialLoaderOptions, 'maxKeys'>;
  /** The memory budget, when there is one. */
  readonly admission: Admission | undefined;
  /** Big factorials' prime exponents, by n (see keptExponentBytes). */
  private readonly kept: ByteCache<number, FactorialMessage>;
  private readonly keptLookups: Counter<'result'> | undefined;

  constructor(
    private readonly client: FactorialClient,
    options: FactorialBatchesOptions = {},
  ) {
    this.limits = {
      maxBatchSize: options.maxBatchSize ?? MAX_BATCH_SIZE,
      maxReplyBytes: options.maxReplyBytes ?? MAX_REPLY_BYTES,
    };
    this.admission = options.memory ? new Admission({ capacity: options.memory.bytes, maxWaiting: options.memory.maxWaiting }) : undefined;
    const admission = this.admission;
    if (admission && options.registry) registerAdmissionMetrics(options.registry, () => admission.stats());
    this.batchSize = options.registry
      ? new Histogram({
          name: 'factorial_batch_size',
          help: 'Keys per BatchGetFactorials call.',
          buckets: [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000],
          registers: [options.registry],
        })
      : undefined;
    this.callMetrics = options.registry ? clientCallMetrics(options.registry) : undefined;
    const keptBytes = options.keptExponentBytes ?? 0;
    const kept = byteCache<number, FactorialMessage>(keptBytes, { sizeOf: (f) => f.primeExponents.byteLength + KEPT_ENTRY_OVERHEAD });
    this.kept = kept;
    if (options.registry && keptBytes > 0) {
      this.keptLookups = new Counter({
        name: 'exponent_cache_lookups_total',
        help: "Lookups of big factorials' prime exponents in the process's own cache, by result (hit or miss).",
        labelNames: ['result'],
        registers: [options.registry],
      });
      new Gauge({
        name: 'exponent_cache_bytes',
        help: "Bytes of big factorials' prime exponents the process keeps (at most EXPONENT_CACHE_MB).",
        registers: [options.registry],
        collect() {
          this.set(kept.calculatedSize);
        },
      });
    }
  }

  /** Bytes of prime exponents kept now, by the cache's own measure. */
  get keptBytes(): number {
    return this.kept.calculatedSize;
  }

  /** A loader for one request: every factorial it asks for in one tick goes out in one call, within its deadline. */
  forRequest(scope: RequestScope, options: RequestBatchOptions = {}): FactorialLoader {
    const admission = this.admission;
    let otherBytesCounted = 0;
    const fetch = async (requests: GetFactorialRequest[]): Promise<FactorialMessage[]> => {
      const kept = requests.map((request) => this.keptFor(request));
      const missing = requests.filter((_, i) => kept[i] === undefined);
      if (admission) {
        // Each call's share, held until the request ends: its replies (and its results) live until it is answered. A
        // kept reply is shared, but the request still holds the copy it hands a worker thread.
        const otherBytes = options.otherBytes?.() ?? 0;
        const bytes =
          HELD_PER_REPLY_BYTE * missing.reduce((sum, request) => sum + replyBytes(request), 0) +
          kept.reduce((sum, f) => sum + (f?.primeExponents.byteLength ?? 0), 0) +
          otherBytes -
          otherBytesCounted;
        otherBytesCounted = otherBytes;
        scope.deadline.onEnd(await admission.acquire(bytes, scope.deadline));
      }
      if (missing.length === 0) return kept as FactorialMessage[];
      const fetched = await this.call(missing, scope);
      fetched.forEach((f, i) => {
        const request = missing[i];
        if (request && f.n === request.n && isKeptSize(request)) this.kept.set(f.n, f);
      });
      // In the order asked (the loader checks each n).
      let next = 0;
      return kept.map((f) => f ?? fetched[next++]!);
    };
    return new FactorialLoader(fetch, { ...this.limits, maxKeys: options.maxKeys });
  }

  /** The kept reply for a request of a kept size (and the lookup counted); undefined for any other. */
  private keptFor(request: GetFactorialRequest): FactorialMessage | undefined {
    if (!isKeptSize(request)) return undefined;
    const kept = this.kept.get(request.n);
    this.keptLookups?.inc({ result: kept ? 'hit' : 'miss' });
    return kept;
  }

  private call(requests: GetFactorialRequest[], scope: RequestScope): Promise<FactorialMessage[]> {
    this.batchSize?.observe(requests.length);
    const attributes = isRecording() ? batchAttributes(requests) : undefined;
    // A CLIENT span under the request (not under whichever field asked first); the trace travels in the metadata.
    return inSpan(`${SERVICE_NAME}/BatchGetFactorials`, { kind: SpanKind.CLIENT, parent: scope.trace, attributes }, (span, active) => {
      const metadata = new Metadata();
      propagation.inject(active, metadata, metadataSetter);
      if (scope.requestId) metadata.set(REQUEST_ID_HEADER, scope.requestId);
      const ended = this.callMetrics?.(BATCH_GET_FACTORIALS);
      return new Promise<FactorialMessage[]>((resolve, reject) => {
        // The call has the request's deadline; it is cancelled if the request is first.
        const call = this.client.batchGetFactorials({ requests }, metadata, { deadline: scope.deadline.at }, (error, reply) => {
          stopListening();
          ended?.(error ? error.code : 0);
          span.setAttributes(rpcStatusAttributes(error ? error.code : 0));
          if (error) reject(error);
          else resolve(reply.factorials);
        });
        const stopListening = scope.deadline.onExpire(() => call.cancel());
      });
    });
  }
}

const BATCH_GET_FACTORIALS = `/${SERVICE_NAME}/BatchGetFactorials`;

/** Whether a request's reply is one a process keeps: big prime exponents. */
function isKeptSize(request: GetFactorialRequest): boolean {
  return representationName(request.representation) === 'prime_exponents' && replyBytes(request) >= MIN_KEPT_REPLY_BYTES;
}

/** What the BatchGetFactorials span records: the batch's size, its keys by representation, its largest n. */
function batchAttributes(requests: GetFactorialRequest[]): Attributes {
  const values = requests.filter((request) => representationName(request.representation) === 'value').length;
  return {
    ...rpcSpanAttributes(SERVICE_NAME, 'BatchGetFactorials'),
    'factorial.batch_size': requests.length,
    'factorial.keys.value': values,
    'factorial.keys.prime_exponents': requests.length - values,
    'factorial.n_max': requests.reduce((max, request) => Math.max(max, request.n), 0),
  };
}
