// Prometheus registries and the small HTTP server that exposes /metrics and /health beside a gRPC port.

import type { Server } from 'node:http';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { watchEventLoopBlocking } from './event-loop-blocking';
import { createTimedServer, defaultHttpTimeouts, errorBody, listenHttp } from '../http';

/**
 * A fresh registry with the process's default metrics (CPU, memory, event-loop lag, GC) and, on Linux,
 * `eventloop_blocked_max_seconds`: the part of the event-loop lag this thread spent on a CPU, which tells code that
 * blocks the loop from a machine (or a CPU quota) that starves it.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const blocking = watchEventLoopBlocking();
  if (blocking) {
    new Gauge({
      name: 'eventloop_blocked_max_seconds',
      help: "Longest time the event loop was held by this process's own work (late timers while on a CPU) since the last scrape.",
      registers: [registry],
      collect() {
        this.set(blocking.takeMax() / 1000);
      },
    });
  }
  return registry;
}

/** Bucket bounds (seconds) for request latencies: 0.5 ms to 30 s. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface ProbeServerOptions {
  registry: Registry;
  /** Whether /health answers 200 (serving) or 503 (shutting down). */
  isHealthy: () => boolean;
}

/** An HTTP server with GET /metrics (Prometheus text) and GET /health; not listening yet. */
export function createProbeServer(options: ProbeServerOptions): {
  server: Server;
  listen: (host: string, port: number) => Promise<number>;
} {
  const server = createTimedServer(defaultHttpTimeouts(), (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      options.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': options.registry.contentType });
          res.end(text);
        },
        () => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify(errorBody('metrics unavailable', 'INTERNAL_SERVER_ERROR')));
        },
      );
      return;
    }
    if (req.method === 'GET' && path === '/health') {
      const healthy = options.isHealthy();
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: healthy ? 'ok' : 'shutting down' }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(errorBody('not found: this port serves GET /metrics and GET /health', 'NOT_FOUND')));
  });
  return { server, listen: (host, port) => listenHttp(server, host, port) };
}
