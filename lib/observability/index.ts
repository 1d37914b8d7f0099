// The observability family: logs, metrics and traces, the same in every process.

// Logs: one JSON line per event, bound to the request's ids.
export * from './logger';
// Metrics: registries, the probe server, the event-loop blocking gauge.
export * from './metrics';
export * from './event-loop-blocking';
export * from './proc-stat';
// Traces: W3C trace context and spans (off unless configured), the SDK, and Fastify's side of it.
export * from './tracing/spans';
export * from './tracing/sdk';
export * from './tracing/fastify';
// Errors clients receive: one counter, one log line, whatever refused them.
export * from './refusals';
