// Server-side gRPC metrics named as in go-grpc-prometheus, recorded for every call by a server interceptor the server
// already has (one layer of interceptor per call costs each of the call's events a wrapper: two cost two).

import type { ServerMethodDefinition } from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { callMetrics } from './call-metrics';

/** Counts a call as started when called; the function it returns counts the call's end, once, with its status code. */
export type ServerCallMetrics = (method: ServerMethodDefinition<unknown, unknown>) => (code: number) => void;

/**
 * Registers grpc_server_started_total, grpc_server_handled_total{grpc_code} and grpc_server_handling_seconds, and
 * returns what records them for one call. A call the client cancels is counted as CANCELLED when it is cancelled.
 */
export function serverCallMetrics(registry: Registry): ServerCallMetrics {
  const record = callMetrics(registry, 'server', {
    started: 'RPCs started on the server.',
    handled: 'RPCs completed on the server, by status code.',
    seconds: 'Time from receiving a request to sending its reply.',
  });
  return (method) => record(method.path, { request: method.requestStream, response: method.responseStream });
}
