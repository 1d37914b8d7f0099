// The gRPC family: what both sides of a gRPC hop share, whatever the service.

// Status codes by name.
export { grpcCodeName } from './status';
// Metrics, in two halves that share their label names (as go-grpc-prometheus names them).
export { serverCallMetrics, type ServerCallMetrics } from './server-metrics';
export { clientCallMetrics, type ClientCallMetrics } from './client-metrics';
// TLS and mutual TLS from PEM files.
export { clientCredentials, type ClientTls, readPemPair, readPemSetting, serverCredentials, type ServerTls } from './tls';
// Span attributes of a gRPC call, by the current semantic conventions.
export { rpcSpanAttributes, rpcStatusAttributes } from './span-attributes';
