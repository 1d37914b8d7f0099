// Process entry of the math subgraph: its factorial client and server on the configured port; runService does the rest.

import { serveSubgraph, subgraphServerSettings } from '../../../lib/graphql';
import { clientCredentials } from '../../../lib/grpc';
import { describeArithmetic, nativeBignum } from '../../../lib/math';
import { createMetricsRegistry } from '../../../lib/observability';
import { runService } from '../../../lib/process';
import { createFactorialClient, FactorialBatches } from '../../../services/factorial/client';
import { loadMathConfig } from './config';
import { MathService } from './math';
import { createMathServer } from './server';

/** Operations that may wait for their share of memory before the next is refused (as many as may wait for a worker). */
const MATH_MAX_WAITING = 32;

void runService('math', loadMathConfig, async (config, logger) => {
  const registry = createMetricsRegistry();
  const client = createFactorialClient(config.factorial.address, { credentials: clientCredentials(config.factorial.tls), registry });
  const math = new MathService({
    factorials: new FactorialBatches(client, { registry, memory: { bytes: config.memoryBytes, maxWaiting: MATH_MAX_WAITING } }),
    maxN: config.maxN,
    maxOperationFactorials: config.maxOperationFactorials,
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
    ...subgraphServerSettings(config),
  });
  return serveSubgraph(server, config, logger, `factorial service at ${config.factorial.address}`, () => client.close());
});
