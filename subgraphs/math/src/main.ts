// Process entry of the math subgraph: its client and server on the configured port; lib/service.ts does the rest.

import { clientCredentials } from '../../../lib/tls';
import { createMetricsRegistry } from '../../../lib/metrics';
import { runService } from '../../../lib/service';
import { createFactorialClient } from '../../../services/factorial/src/client';
import { loadMathConfig } from './config';
import { describeArithmetic, nativeBignum } from '../../../lib/math/native';
import { MathService } from './math';
import { createMathServer } from './server';

void runService('math', loadMathConfig, async (config, logger) => {
  const registry = createMetricsRegistry();
  const client = createFactorialClient(config.factorialAddress, { credentials: clientCredentials(config.factorialTls) });
  const math = new MathService({
    client,
    maxN: config.maxN,
    maxResultDigits: config.maxResultDigits,
    maxOperationDigits: config.maxOperationDigits,
    workers: config.workers,
    nativeArithmetic: config.nativeArithmetic === 'auto',
    registry,
  });
  const native = config.nativeArithmetic === 'auto' ? nativeBignum() : undefined;
  logger.info(`big results: ${describeArithmetic(native)}${config.nativeArithmetic === 'off' ? ', MATH_NATIVE=off' : ''}`);
  const server = await createMathServer({
    math,
    registry,
    logger,
    requestTimeoutMs: config.requestTimeoutMs,
    production: config.production,
  });
  const port = await server.listen(config.host, config.port);
  logger.info(`GraphQL on http://${config.host}:${port}/graphql, factorial service at ${config.factorialAddress}`);
  return {
    announce: () => server.announceShutdown(),
    async stop() {
      await server.stop();
      client.close();
    },
  };
});
