// Process entry of the factorial service: its servers on the configured ports; runService (lib/process) does the rest.

import { closeHttp } from '../../../lib/http';
import { createMetricsRegistry, createProbeServer } from '../../../lib/observability';
import { runService } from '../../../lib/process';
import { loadFactorialConfig } from './config';
import { createFactorialServer } from './server';

void runService('factorial', loadFactorialConfig, async (config, logger) => {
  const registry = createMetricsRegistry();
  const service = createFactorialServer({
    maxN: config.maxN,
    workers: config.workers,
    maxQueue: config.maxQueue,
    cacheBytes: config.cacheBytes,
    memoryBytes: config.memoryBytes,
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
  return {
    announce: () => service.announceShutdown(),
    async stop(graceMs) {
      await service.shutdown(graceMs);
      await closeHttp(probes.server);
    },
  };
});
