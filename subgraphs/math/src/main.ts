// Process entry of the math subgraph: settings, listen, signals, shutdown.

import { createLogger } from '../../../lib/logger';
import { startTracing } from '../../../lib/tracing-sdk';
import { clientCredentials } from '../../../lib/tls';
import { createMetricsRegistry } from '../../../lib/metrics';
import { exitOnSignals, exitOnStartupError } from '../../../lib/shutdown';
import { createFactorialClient } from '../../../services/factorial/src/client';
import { loadMathConfig } from './config';
import { MathService } from './math';
import { createMathServer } from './server';

async function main(): Promise<void> {
  let logger = createLogger('math');
  try {
    const config = loadMathConfig(process.env);
    logger = createLogger('math', config.logLevel);
    const tracing = await startTracing(config.tracing, logger);
    const registry = createMetricsRegistry();
    const client = createFactorialClient(config.factorialAddress, { credentials: clientCredentials(config.factorialTls) });
    const math = new MathService({
      client,
      maxN: config.maxN,
      maxResultDigits: config.maxResultDigits,
      maxOperationDigits: config.maxOperationDigits,
      workers: config.workers,
      registry,
    });
    const server = await createMathServer({
      math,
      registry,
      logger,
      requestTimeoutMs: config.requestTimeoutMs,
      production: config.production,
    });
    const port = await server.listen(config.host, config.port);
    logger.info(`GraphQL on http://${config.host}:${port}/graphql, factorial service at ${config.factorialAddress}`);
    exitOnSignals(
      {
        announce: () => server.announceShutdown(),
        async stop() {
          await server.stop();
          client.close();
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
