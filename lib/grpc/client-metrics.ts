// Client-side gRPC metrics, the other half of server-metrics.ts with the same label names, recorded by the code that
// makes the calls: an interceptor would cost every call a layer of wrappers on each of its events (about 20 µs a call
// here, measured), for what a call's callback already says.

import { Counter, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from '../observability';
import { GRPC_METHOD_LABELS, methodLabels, type GrpcMethodLabels } from './metric-labels';
import { grpcCodeName } from './status';

/** Counts a unary call to `path` as started when called; the function it returns counts its end, once, with its code. */
export type ClientCallMetrics = (path: string) => (code: number) => void;

/**
 * Registers grpc_client_started_total, grpc_client_handled_total{grpc_code} and grpc_client_handling_seconds, and
 * returns what records them for one unary call. The time is what the client waits: the network and the server's queue
 * included.
 */
export function clientCallMetrics(registry: Registry): ClientCallMetrics {
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
  const labelsByPath = new Map<string, GrpcMethodLabels>();
  return (path) => {
    let labels = labelsByPath.get(path);
    if (!labels) {
      labels = methodLabels(path, { request: false, response: false });
      labelsByPath.set(path, labels);
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
