// Process entry of the primes subgraph: its factorial client and server on the configured port; runService does the rest.

import { serveSubgraph, subgraphServerSettings } from '../../../lib/graphql';
import { clientCredentials } from '../../../lib/grpc';
import { createMetricsRegistry } from '../../../lib/observability';
import { runService } from '../../../lib/process';
import { createFactorialClient, FactorialBatches } from '../../../services/factorial/client';
import { loadPrimesConfig } from './config';
import { PrimesService } from './primes';
import { createPrimesServer } from './server';

/** Operations that may wait for their share of memory before the next is refused. */
const PRIMES_MAX_WAITING = 32;

void runService('primes', loadPrimesConfig, async (config, logger) => {
  const registry = createMetricsRegistry();
  const client = createFactorialClient(config.factorial.address, { credentials: clientCredentials(config.factorial.tls), registry });
  const primes = new PrimesService({
    factorials: new FactorialBatches(client, { registry, memory: { bytes: config.memoryBytes, maxWaiting: PRIMES_MAX_WAITING } }),
    maxN: config.maxN,
    maxOperationFactorials: config.maxOperationFactorials,
    maxOperationPrimes: config.maxOperationPrimes,
    workers: config.workers,
    nativeArithmetic: config.nativeArithmetic === 'auto',
    registry,
  });
  const server = await createPrimesServer({
    primes,
    registry,
    logger,
    ...subgraphServerSettings(config),
  });
  return serveSubgraph(server, config, logger, `factorial service at ${config.factorial.address}`, () => client.close());
});
