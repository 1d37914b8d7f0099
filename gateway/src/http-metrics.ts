// http_request_duration_seconds of the gateway, by method, route pattern (never the raw path) and status.

import type { FastifyInstance } from 'fastify';
import { Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from '../../lib/observability';

export function recordHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests served by the gateway, by method, route and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}
