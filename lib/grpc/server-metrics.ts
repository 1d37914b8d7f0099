// Server-side gRPC metrics named as in go-grpc-prometheus, recorded for every call by a server interceptor the server
// already has (one layer of interceptor per call costs each of the call's events a wrapper: two cost two).

import type { ServerMethodDefinition } from '@grpc/grpc-js';
import { Counter, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from '../observability';
import { GRPC_METHOD_LABELS, methodLabels, type GrpcMethodLabels } from './metric-labels';
import { grpcCodeName } from './status';

/** Counts a call as started when called; the function it returns counts the call's end, once, with its status code. */
export type ServerCallMetrics = (method: ServerMethodDefinition<unknown, unknown>) => (code: number) => void;

/**
 * Registers grpc_server_started_total, grpc_server_handled_total{grpc_code} and grpc_server_handling_seconds, and
 * returns what records them for one call. A call the client cancels is counted as CANCELLED when it is cancelled.
 */
export function serverCallMetrics(registry: Registry): ServerCallMetrics {
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
  // A service has a handful of methods: their labels are worked out once each.
  const labelsByPath = new Map<string, GrpcMethodLabels>();
  return (method) => {
    let labels = labelsByPath.get(method.path);
    if (!labels) {
      labels = methodLabels(method.path, { request: method.requestStream, response: method.responseStream });
      labelsByPath.set(method.path, labels);
    }
    const methodLabelValues = labels;
    started.inc(methodLabelValues);
    const stop = seconds.startTimer(methodLabelValues);
    let recorded = false;
    return (code) => {
      if (recorded) return;
      recorded = true;
      stop();
      handled.inc({ ...methodLabelValues, grpc_code: grpcCodeName(code) });
    };
  };
}
