// The observability family: logs, metrics and traces, the same in every process.

// Logs: one JSON line per event, bound to the request's ids.
export { createLogger, LOG_LEVELS, type Logger, type LogLevel, silentLogger } from './logger';
// Metrics: registries, the probe server, the event-loop blocking gauge.
export { createMetricsRegistry, createProbeServer, LATENCY_BUCKETS } from './metrics';
export { forgetEventLoopBlocking } from './event-loop-blocking';
export { cpuMsFromStat } from './proc-stat';
// Traces: W3C trace context and spans (off unless configured), the SDK, and Fastify's side of it.
export {
  failSpan,
  headerSetter,
  incomingContext,
  inSpan,
  installPropagator,
  isRecording,
  logFields,
  metadataGetter,
  metadataSetter,
  runInSpan,
  startServerSpan,
} from './tracing/spans';
export { readTracingSettings, startTracing, type TracingSettings } from './tracing/sdk';
export { requestIdOf, type RequestTrace, traceRequests } from './tracing/fastify';
// Errors clients receive: one counter, one log line, whatever refused them.
export { errorCounter, recordRefusal } from './refusals';
