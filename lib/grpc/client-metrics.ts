// Client-side gRPC metrics, the other half of server-metrics.ts with the same label names, recorded by a client interceptor.

import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { Counter, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from '../observability';
import { GRPC_METHOD_LABELS, methodLabels } from './metric-labels';
import { grpcCodeName } from './status';

/**
 * Registers grpc_client_started_total, grpc_client_handled_total{grpc_code} and grpc_client_handling_seconds, and
 * returns the interceptor that records them (pass it in the client's `interceptors`). The time is what the client
 * waits: the network and the server's queue included.
 */
export function clientMetricsInterceptor(registry: Registry): Interceptor {
  const started = new Counter({
    name: 'grpc_client_started_total',
    help: 'RPCs started by the client.',
    labelNames: GRPC_METHOD_LABELS,
    registers: [registry],
  });
  const handled = new Counter({
    name: 'grpc_client_handled_total',
    help: 'RPCs completed by the client, by status code.',
    labelNames: [...GRPC_METHOD_LABELS, 'grpc_code'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'grpc_client_handling_seconds',
    help: 'Time from sending an RPC to its reply, as the client sees it.',
    labelNames: GRPC_METHOD_LABELS,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return (options, nextCall) => {
    const method = options.method_definition;
    const labels = methodLabels(method.path, { request: method.requestStream, response: method.responseStream });
    return new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        started.inc(labels);
        const stop = seconds.startTimer(labels);
        next(metadata, {
          onReceiveStatus(received, nextStatus) {
            stop();
            handled.inc({ ...labels, grpc_code: grpcCodeName(received.code) });
            nextStatus(received);
          },
        });
      },
    });
  };
}
