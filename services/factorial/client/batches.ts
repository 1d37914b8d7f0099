// BatchGetFactorials for one request at a time: its loader, its deadline, its id and trace in the metadata, its share
// of the process's memory for replies, the batch-size histogram and the grpc_client_* metrics, on the process's one
// client.

import { Metadata } from '@grpc/grpc-js';
import { propagation, SpanKind, type Attributes } from '@opentelemetry/api';
import { Histogram, type Registry } from 'prom-client';
import { clientCallMetrics, rpcSpanAttributes, rpcStatusAttributes, type ClientCallMetrics } from '../../../lib/grpc';
import { inSpan, isRecording, metadataSetter } from '../../../lib/observability';
import { REQUEST_ID_HEADER, type RequestScope } from '../../../lib/request';
import { Admission, registerAdmissionMetrics } from '../../../lib/admission';
import { FactorialLoader, type FactorialLoaderOptions } from './batch-loader';
import type { FactorialMessage } from '../contract';
import type { FactorialClient } from './client';
import { MAX_BATCH_SIZE, MAX_REPLY_BYTES, replyBytes, representationName, SERVICE_NAME, type GetFactorialRequest } from '../contract';

/**
 * Bytes a request holds per estimated reply byte: the reply as it arrives, the exponents decoded into Uint32Arrays
 * (4 bytes where the wire takes about 2), and the copies handed to worker threads.
 */
const HELD_PER_REPLY_BYTE = 3;

export interface FactorialBatchesOptions extends Partial<Omit<FactorialLoaderOptions, 'maxKeys'>> {
  /** Where factorial_batch_size, grpc_client_* and the admission_* metrics are registered. Default: none kept. */
  registry?: Registry;
  /**
   * The process's memory budget for what its requests hold of the service's replies: a request waits for its share
   * before its first call (within its deadline), and is refused when `maxWaiting` already wait. Default: none.
   */
  memory?: { bytes: number; maxWaiting: number };
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
  }

  /** A loader for one request: every factorial it asks for in one tick goes out in one call, within its deadline. */
  forRequest(scope: RequestScope, options: RequestBatchOptions = {}): FactorialLoader {
    const admission = this.admission;
    let otherBytesCounted = 0;
    const fetch = admission
      ? async (requests: GetFactorialRequest[]) => {
          // Each call's share, held until the request ends: its replies (and its results) live until it is answered.
          const otherBytes = options.otherBytes?.() ?? 0;
          const bytes =
            HELD_PER_REPLY_BYTE * requests.reduce((sum, request) => sum + replyBytes(request), 0) + otherBytes - otherBytesCounted;
          otherBytesCounted = otherBytes;
          scope.deadline.onEnd(await admission.acquire(bytes, scope.deadline));
          return this.call(requests, scope);
        }
      : (requests: GetFactorialRequest[]) => this.call(requests, scope);
    return new FactorialLoader(fetch, { ...this.limits, maxKeys: options.maxKeys });
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
