// The gateway as gateway/src/main.ts starts it, with `tuning` options from GATEWAY_TUNING (JSON): one variant
// of bench/tuning.ts. Not for production: it handles no signals beyond the default.

import * as fs from 'node:fs';
import { createGatewayServer, type GatewayServerOptions } from '../gateway/src/server';
import { loadGatewayConfig } from '../gateway/src/config';
import { createLogger } from '../lib/observability';
import { createMetricsRegistry } from '../lib/observability';

async function main(): Promise<void> {
  const config = loadGatewayConfig(process.env);
  const tuning = JSON.parse(process.env.GATEWAY_TUNING ?? '{}') as GatewayServerOptions['tuning'];
  const server = await createGatewayServer({
    subgraphs: config.subgraphs,
    supergraphSdl: fs.readFileSync(config.supergraphPath, 'utf8'),
    requestTimeoutMs: config.requestTimeoutMs,
    responseCacheBytes: config.responseCacheBytes,
    limits: config.limits,
    registry: createMetricsRegistry(),
    logger: createLogger('gateway', config.logLevel),
    tuning,
  });
  await server.listen(config.host, config.port);
}

void main();
