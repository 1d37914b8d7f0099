// Process entry of the gateway: its server on the configured port; lib/service.ts does the rest.

import * as fs from 'node:fs';
import { urlHost } from '../../lib/process';
import { createMetricsRegistry } from '../../lib/observability';
import { runService } from '../../lib/process';
import { loadGatewayConfig } from './config';
import { createGatewayServer } from './server';

void runService('gateway', loadGatewayConfig, async (config, logger) => {
  const supergraphSdl = config.supergraph === 'static' ? fs.readFileSync(config.supergraphPath, 'utf8') : undefined;
  const server = await createGatewayServer({
    mathUrl: config.mathUrl,
    supergraphSdl,
    production: config.production,
    requestTimeoutMs: config.requestTimeoutMs,
    restCacheBytes: config.restCacheBytes,
    bodyLimit: config.bodyLimit,
    limits: config.limits,
    registry: createMetricsRegistry(),
    logger,
  });
  const port = await server.listen(config.host, config.port);
  const base = `http://${urlHost(config.host)}:${port}`;
  logger.info(
    `GraphQL and Sandbox on ${base}/graphql, REST on ${base}/api/ncr/:n/:r (${config.supergraph} supergraph, math at ${config.mathUrl})`,
  );
  return { announce: () => server.announceShutdown(), stop: () => server.stop() };
});
