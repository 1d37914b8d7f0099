// The three metrics of one side of a gRPC hop (started, handled by code, handling time), as go-grpc-prometheus names
// them, and what records them for one call: the same for the client and the server, which differ in names and words.

import { Counter, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from '../observability';
import { GRPC_METHOD_LABELS, methodLabels, type GrpcMethodLabels } from './metric-labels';
import { grpcCodeName } from './status';

/** What each of a side's three metrics counts, in its help text. */
export interface CallMetricsHelp {
  started: string;
  handled: string;
  seconds: string;
}

/** Counts a call to `path` as started when called; the function it returns counts its end, once, with its code. */
export type RecordCall = (path: string, streaming: { request: boolean; response: boolean }) => (code: number) => void;

/** Registers grpc_<side>_started_total, grpc_<side>_handled_total{grpc_code} and grpc_<side>_handling_seconds. */
export function callMetrics(registry: Registry, side: 'client' | 'server', help: CallMetricsHelp): RecordCall {
  const started = new Counter({
    name: `grpc_${side}_started_total`,
    help: help.started,
    labelNames: GRPC_METHOD_LABELS,
    registers: [registry],
  });
  const handled = new Counter({
    name: `grpc_${side}_handled_total`,
    help: help.handled,
    labelNames: [...GRPC_METHOD_LABELS, 'grpc_code'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: `grpc_${side}_handling_seconds`,
    help: help.seconds,
    labelNames: GRPC_METHOD_LABELS,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  // A service has a handful of methods: their labels are worked out once each.
  const labelsByPath = new Map<string, GrpcMethodLabels>();
  return (path, streaming) => {
    let labels = labelsByPath.get(path);
    if (!labels) {
      labels = methodLabels(path, streaming);
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
