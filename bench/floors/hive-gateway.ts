// Peer: Hive Gateway serving the committed supergraph in front of this project's running subgraphs, with its default
// (stitching) runtime or with Hive Router's Rust query planner (@graphql-hive/router-runtime). One process; node:http.
//   tsx bench/floors/hive-gateway.ts <default|router> <math /graphql URL> <primes /graphql URL>  -> prints {"url": ...}

import * as fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';

async function main(): Promise<void> {
  const [runtimeName, mathUrl, primesUrl] = process.argv.slice(2);
  const runtime = createGatewayRuntime({
    supergraph: fs.readFileSync(path.join(__dirname, '../../supergraph.graphql'), 'utf8'),
    transportEntries: { math: { location: mathUrl }, primes: { location: primesUrl } },
    logging: false,
    ...(runtimeName === 'router' && { unifiedGraphHandler }),
  });
  const server = createServer(runtime);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` })}\n`);
}

void main();
