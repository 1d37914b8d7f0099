// Process entry of the gateway: settings, listen, signals, shutdown.

import * as fs from 'node:fs';
import { urlHost } from '../../lib/listen';
import { createLogger } from '../../lib/logger';
import { startTracing } from '../../lib/tracing-sdk';
import { createMetricsRegistry } from '../../lib/metrics';
import { exitOnSignals, exitOnStartupError } from '../../lib/shutdown';
import { loadGatewayConfig } from './config';
import { createGatewayServer } from './server';

async function main(): Promise<void> {
  let logger = createLogger('gateway');
  try {
    const config = loadGatewayConfig(process.env);
    logger = createLogger('gateway', config.logLevel);
    const tracing = await startTracing(config.tracing, logger);
    const supergraphSdl = config.supergraph === 'static' ? fs.readFileSync(config.supergraphPath, 'utf8') : undefined;
    const registry = createMetricsRegistry();
    const server = await createGatewayServer({
      mathUrl: config.mathUrl,
      supergraphSdl,
      production: config.production,
      requestTimeoutMs: config.requestTimeoutMs,
      restCacheBytes: config.restCacheBytes,
      bodyLimit: config.bodyLimit,
      limits: config.limits,
      registry,
      logger,
    });
    const port = await server.listen(config.host, config.port);
    const base = `http://${urlHost(config.host)}:${port}`;
    logger.info(
      `GraphQL and Sandbox on ${base}/graphql, REST on ${base}/api/ncr/:n/:r (${config.supergraph} supergraph, math at ${config.mathUrl})`,
    );
    exitOnSignals(
      {
        announce: () => server.announceShutdown(),
        async stop() {
          await server.stop();
          await tracing.shutdown();
        },
      },
      { ...config.shutdown, logger },
    );
  } catch (error) {
    exitOnStartupError(error, logger);
  }
}

void main();
