// Server-side gRPC metrics named as in go-grpc-prometheus, recorded by a server interceptor for every call.

import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import { Counter, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from '../observability';
import { GRPC_METHOD_LABELS, methodLabels } from './metric-labels';
import { grpcCodeName } from './status';

/**
 * Registers grpc_server_started_total, grpc_server_handled_total{grpc_code} and grpc_server_handling_seconds, and
 * returns the interceptor that records them (pass it in the Server's `interceptors`). A call the client cancels
 * is counted as CANCELLED when it is cancelled, once.
 */
export function serverMetricsInterceptor(registry: Registry): ServerInterceptor {
  const started = new Counter({
    name: 'grpc_server_started_total',
    help: 'RPCs started on the server.',
    labelNames: GRPC_METHOD_LABELS,
    registers: [registry],
  });
  const handled = new Counter({
    name: 'grpc_server_handled_total',
    help: 'RPCs completed on the server, by status code.',
    labelNames: [...GRPC_METHOD_LABELS, 'grpc_code'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'grpc_server_handling_seconds',
    help: 'Time from receiving a request to sending its reply.',
    labelNames: GRPC_METHOD_LABELS,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return (method, call) => {
    const labels = methodLabels(method.path, { request: method.requestStream, response: method.responseStream });
    started.inc(labels);
    const stop = seconds.startTimer(labels);
    let recorded = false;
    const record = (code: number): void => {
      if (recorded) return;
      recorded = true;
      stop();
      handled.inc({ ...labels, grpc_code: grpcCodeName(code) });
    };
    return new ServerInterceptingCall(call, {
      start: (next) => next({ onCancel: () => record(status.CANCELLED) }),
      sendStatus: (sent, next) => {
        record(sent.code);
        next(sent);
      },
    });
  };
}
