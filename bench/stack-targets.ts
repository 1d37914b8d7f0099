// What the stack benchmark loads beside this stack, each in a process of its own: the floors, and the peers, Apollo
// Gateway with nothing added and the ceiling, which serve the committed supergraph in front of the stack's own
// subgraphs (and factorial service).

import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Processes } from '../harness/processes';
import { SERVICE_NODE_FLAGS } from '../lib/process';
import { grafbaseBinary, startGrafbase } from './grafbase';
import { startFloor } from './load';

interface Started {
  url: string;
  child: ChildProcess;
}

/** The bare node:http floor, and the stock Apollo gateway in front of a stock subgraph. */
export async function startFloors(): Promise<{ bare: Started; stockSubgraph: Started; stockGateway: Started }> {
  const bare = await startFloor([path.join(__dirname, 'floors/bare-http.ts')]);
  const stockSubgraph = await startFloor([path.join(__dirname, 'floors/stock-apollo.ts'), 'subgraph']);
  const stockGateway = await startFloor([path.join(__dirname, 'floors/stock-apollo.ts'), 'gateway', stockSubgraph.url]);
  return { bare, stockSubgraph, stockGateway };
}

/** The gateways that serve the stack's subgraphs beside its own; the ceiling is undefined where it cannot run. */
export async function startGatewaysBeside(
  stack: Processes,
): Promise<{ hive: Started; hiveRouter: Started; bareApollo: Started; rustGateway: Started | undefined }> {
  // The peers: Hive Gateway, with its own runtime and on Hive Router's Rust query planner.
  const hive = await startFloor([path.join(__dirname, 'floors/hive-gateway.ts'), 'default', stack.mathUrl, stack.primesUrl]);
  const hiveRouter = await startFloor([path.join(__dirname, 'floors/hive-gateway.ts'), 'router', stack.mathUrl, stack.primesUrl]);
  // What Apollo Gateway on Apollo Server costs with none of this project's features (and the same node flags as the
  // stack's processes): the difference in gateway CPU is what the features cost.
  const bareApollo = await startFloor(
    [path.join(__dirname, 'floors/bare-apollo.ts'), stack.mathUrl, stack.primesUrl],
    [...SERVICE_NODE_FLAGS],
  );
  // The ceiling: Grafbase's Rust gateway (installed on first use; skipped where it cannot be).
  const grafbase = grafbaseBinary();
  const rustGateway =
    'binary' in grafbase
      ? await startGrafbase(grafbase.binary, { math: stack.mathUrl, primes: stack.primesUrl }).catch((error: unknown) => {
          process.stdout.write(`  ceiling skipped: ${(error as Error).message}\n`);
          return undefined;
        })
      : undefined;
  if ('skipped' in grafbase) process.stdout.write(`  ceiling skipped: ${grafbase.skipped}\n`);
  return { hive, hiveRouter, bareApollo, rustGateway };
}
