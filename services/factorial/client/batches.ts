// BatchGetFactorials for one request at a time: its loader, its deadline, its id and trace in the metadata, and the
// batch-size histogram, on the process's one client.

import { Metadata } from '@grpc/grpc-js';
import { propagation, SpanKind, type Attributes } from '@opentelemetry/api';
import { Histogram, type Registry } from 'prom-client';
import { rpcSpanAttributes, rpcStatusAttributes } from '../../../lib/grpc';
import { inSpan, isRecording, metadataSetter } from '../../../lib/observability';
import { REQUEST_ID_HEADER, type RequestScope } from '../../../lib/request';
import { FactorialLoader, type FactorialLoaderOptions } from './batch-loader';
import type { FactorialClient, FactorialMessage } from './codec';
import { MAX_BATCH_SIZE, MAX_REPLY_BYTES, representationName, SERVICE_NAME, type GetFactorialRequest } from './contract';

export interface FactorialBatchesOptions extends Partial<FactorialLoaderOptions> {
  /** Where factorial_batch_size is registered. Default: none kept. */
  registry?: Registry;
}

/** The process-wide side: one client, one histogram; a loader per request. */
export class FactorialBatches {
  private readonly batchSize: Histogram | undefined;
  private readonly limits: FactorialLoaderOptions;

  constructor(
    private readonly client: FactorialClient,
    options: FactorialBatchesOptions = {},
  ) {
    this.limits = { maxBatchSize: options.maxBatchSize ?? MAX_BATCH_SIZE, maxReplyBytes: options.maxReplyBytes ?? MAX_REPLY_BYTES };
    this.batchSize = options.registry
      ? new Histogram({
          name: 'factorial_batch_size',
          help: 'Keys per BatchGetFactorials call.',
          buckets: [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000],
          registers: [options.registry],
        })
      : undefined;
  }

  /** A loader for one request: every factorial it asks for in one tick goes out in one call, within its deadline. */
  forRequest(scope: RequestScope): FactorialLoader {
    return new FactorialLoader((requests) => this.call(requests, scope), this.limits);
  }

  private call(requests: GetFactorialRequest[], scope: RequestScope): Promise<FactorialMessage[]> {
    this.batchSize?.observe(requests.length);
    const attributes = isRecording() ? batchAttributes(requests) : undefined;
    // A CLIENT span under the request (not under whichever field asked first); the trace travels in the metadata.
    return inSpan(`${SERVICE_NAME}/BatchGetFactorials`, { kind: SpanKind.CLIENT, parent: scope.trace, attributes }, (span, active) => {
      const metadata = new Metadata();
      propagation.inject(active, metadata, metadataSetter);
      if (scope.requestId) metadata.set(REQUEST_ID_HEADER, scope.requestId);
      return new Promise<FactorialMessage[]>((resolve, reject) => {
        // The call has the request's deadline; it is cancelled if the request is first.
        const call = this.client.batchGetFactorials({ requests }, metadata, { deadline: scope.deadline.at }, (error, reply) => {
          stopListening();
          span.setAttributes(rpcStatusAttributes(error ? error.code : 0));
          if (error) reject(error);
          else resolve(reply.factorials);
        });
        const stopListening = scope.deadline.onExpire(() => call.cancel());
      });
    });
  }
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
