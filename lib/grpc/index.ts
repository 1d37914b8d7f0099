// The gRPC family: what both sides of a gRPC hop share, whatever the service.

// Status codes by name.
export * from './status';
// Metrics, in two halves that share their label names (as go-grpc-prometheus names them).
export * from './server-metrics';
export * from './client-metrics';
// TLS and mutual TLS from PEM files.
export * from './tls';
// Span attributes of a gRPC call, by the current semantic conventions.
export * from './span-attributes';
