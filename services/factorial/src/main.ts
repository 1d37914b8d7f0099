// Process entry of the factorial service: settings, listen, signals, shutdown.

import { closeHttp } from '../../../lib/listen';
import { createLogger } from '../../../lib/logger';
import { startTracing } from '../../../lib/tracing-sdk';
import { createMetricsRegistry, createProbeServer } from '../../../lib/metrics';
import { exitOnSignals, exitOnStartupError } from '../../../lib/shutdown';
import { loadFactorialConfig } from './config';
import { createFactorialServer } from './server';

async function main(): Promise<void> {
  let logger = createLogger('factorial');
  try {
    const config = loadFactorialConfig(process.env);
    logger = createLogger('factorial', config.logLevel);
    const tracing = await startTracing(config.tracing, logger);
    const registry = createMetricsRegistry();
    const service = createFactorialServer({
      maxN: config.maxN,
      maxBatchSize: config.maxBatchSize,
      workers: config.workers,
      maxQueue: config.maxQueue,
      cacheBytes: config.cacheBytes,
      tls: config.tls,
      registry,
      logger,
    });
    const probes = createProbeServer({ registry, isHealthy: () => service.serving });
    const port = await service.listen(config.host, config.port);
    const metricsPort = await probes.listen(config.host, config.metricsPort);
    logger.info(
      `gRPC${config.tls ? (config.tls.clientCa ? ' (mutual TLS)' : ' (TLS)') : ''} on ${config.host}:${port}, metrics on http://${config.host}:${metricsPort}/metrics (MAX_N ${config.maxN})`,
    );
    exitOnSignals(
      {
        announce: () => service.announceShutdown(),
        async stop(budgetMs) {
          await service.shutdown(budgetMs);
          await closeHttp(probes.server);
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
