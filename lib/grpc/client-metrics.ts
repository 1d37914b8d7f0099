// Client-side gRPC metrics, the other half of server-metrics.ts with the same label names, recorded by the code that
// makes the calls: an interceptor would cost every call a layer of wrappers on each of its events (about 20 µs a call
// here, measured), for what a call's callback already says.

import type { Registry } from 'prom-client';
import { callMetrics } from './call-metrics';

/** Counts a unary call to `path` as started when called; the function it returns counts its end, once, with its code. */
export type ClientCallMetrics = (path: string) => (code: number) => void;

/**
 * Registers grpc_client_started_total, grpc_client_handled_total{grpc_code} and grpc_client_handling_seconds, and
 * returns what records them for one unary call. The time is what the client waits: the network and the server's queue
 * included.
 */
export function clientCallMetrics(registry: Registry): ClientCallMetrics {
  const record = callMetrics(registry, 'client', {
    started: 'RPCs started by the client.',
    handled: 'RPCs completed by the client, by status code.',
    seconds: 'Time from sending an RPC to its reply, as the client sees it.',
  });
  const unary = { request: false, response: false };
  return (path) => record(path, unary);
}
