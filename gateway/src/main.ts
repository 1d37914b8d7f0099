// Process entry of the gateway: its server on the configured port, its metrics on another; runService does the rest.

import * as fs from 'node:fs';
import { closeHttp, urlHost } from '../../lib/http';
import { createMetricsRegistry, createProbeServer } from '../../lib/observability';
import { runService } from '../../lib/process';
import { loadGatewayConfig } from './config';
import { createGatewayServer } from './server';

// Apollo Gateway reports anonymous usage (uptime, CPU, cloud provider) to Apollo every hour, and probes cloud metadata
// endpoints at start-up to do it, unless APOLLO_TELEMETRY_DISABLED is set. This service makes no outbound call its
// operator did not ask for: off, unless the variable says otherwise.
process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';

void runService('gateway', loadGatewayConfig, async (config, logger) => {
  const supergraphSdl = config.supergraph === 'static' ? fs.readFileSync(config.supergraphPath, 'utf8') : undefined;
  const registry = createMetricsRegistry();
  const server = await createGatewayServer({
    subgraphs: config.subgraphs,
    supergraphSdl,
    production: config.production,
    requestTimeoutMs: config.requestTimeoutMs,
    httpTimeouts: config.httpTimeouts,
    responseCacheBytes: config.responseCacheBytes,
    maxResponseBytes: config.maxResponseBytes,
    bodyLimit: config.bodyLimit,
    limits: config.limits,
    corsOrigins: config.corsOrigins,
    redis: config.redis,
    clients: config.clients,
    trustedProxies: config.trustedProxies,
    quotas: config.quotas,
    persistedDocuments: config.persistedDocuments,
    registry,
    logger,
  });
  let serving = true;
  const probes = createProbeServer({ registry, isHealthy: () => serving });
  const port = await server.listen(config.host, config.port);
  const metricsPort = await probes.listen(config.host, config.metricsPort);
  const base = `http://${urlHost(config.host)}:${port}`;
  const subgraphs = Object.entries(config.subgraphs).map(([name, url]) => `${name} at ${url}`);
  logger.info(
    `GraphQL${config.production ? '' : ' and Sandbox'} on ${base}/graphql,${config.redis.url ? ' shared through Redis,' : ''} REST on ${base}/api/ncr/:n/:r, metrics on http://${urlHost(config.host)}:${metricsPort}/metrics (${config.supergraph} supergraph; ${subgraphs.join(', ')})`,
  );
  return {
    announce() {
      serving = false;
      server.announceShutdown();
    },
    async stop() {
      await server.stop();
      await closeHttp(probes.server);
    },
  };
});
