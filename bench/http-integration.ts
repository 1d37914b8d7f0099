// Benchmark behind the gateway's HTTP integration: the same Apollo gateway served by Express 5 and by Fastify, same load, one run.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type autocannon from 'autocannon';
import express from 'express';
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import { promisify } from 'node:util';
import type { GatewayContext } from '../gateway/src/context';
import { SubgraphDataSource } from '../gateway/src/data-source';
import { Deadline } from '../lib/request';
import { listenHttp, closeHttp } from '../lib/http';
import { startStack } from '../harness/stack';
import { CONNECTIONS } from './load';

const execFileAsync = promisify(execFile);
const BODY = JSON.stringify({ query: 'query ($n: Int!, $r: Int!) { ncr(n: $n, r: $r) }', variables: { n: 40, r: 17 } });

/** Runs autocannon in a process of its own, so the load generator does not share the servers' event loop. */
async function load(url: string, seconds: number): Promise<{ rps: number; p99: number; errors: number }> {
  const cli = require.resolve('autocannon/autocannon.js');
  const args = [
    cli,
    '-j',
    '-c',
    String(CONNECTIONS),
    '-d',
    String(seconds),
    '-m',
    'POST',
    '-H',
    'content-type=application/json',
    '-b',
    BODY,
    url,
  ];
  const { stdout } = await execFileAsync(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout) as autocannon.Result;
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

async function main(): Promise<void> {
  const seconds = process.argv.includes('--quick') ? 3 : 8;
  const stack = await startStack({ gateway: true });
  const supergraphSdl = fs.readFileSync(path.join(__dirname, '../supergraph.graphql'), 'utf8');

  // Express 5 with the same gateway and data source as the gateway's own (Fastify) server.
  const subgraph = new SubgraphDataSource({ url: stack.mathUrl });
  const app = express();
  const server = http.createServer(app);
  const apollo = new ApolloServer<Omit<GatewayContext, 'trace'>>({
    gateway: new ApolloGateway({
      supergraphSdl,
      buildService: () => subgraph,
    }),
    csrfPrevention: true,
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer: server })],
  });
  await apollo.start();
  app.use(
    '/graphql',
    express.json({ limit: '100kb' }),
    expressMiddleware(apollo, {
      context: async () => ({ requestId: '', deadline: new Deadline(Date.now() + 30_000) }),
    }),
  );
  const expressUrl = `http://127.0.0.1:${await listenHttp(server, '127.0.0.1', 0)}/graphql`;

  try {
    const fastifyUrl = `${stack.gatewayUrl}/graphql`;
    await load(expressUrl, 1);
    await load(fastifyUrl, 1);
    // Alternate, so a slow moment of the machine does not land on one side only.
    const rows: Record<string, { rps: number[]; p99: number[]; errors: number }> = {
      'Express 5': { rps: [], p99: [], errors: 0 },
      Fastify: { rps: [], p99: [], errors: 0 },
    };
    for (let round = 0; round < 2; round++) {
      for (const [name, url] of [
        ['Express 5', expressUrl],
        ['Fastify', fastifyUrl],
      ] as const) {
        const r = await load(url, seconds);
        rows[name]!.rps.push(r.rps);
        rows[name]!.p99.push(r.p99);
        rows[name]!.errors += r.errors;
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`GraphQL ncr through the gateway, ${CONNECTIONS} connections, 2 x ${seconds} s each, alternating:\n`);
    console.log('| integration | requests/s | p99 ms | errors |\n| --- | --: | --: | --: |');
    for (const [name, row] of Object.entries(rows))
      console.log(`| ${name} | ${mean(row.rps).toFixed(0)} | ${mean(row.p99).toFixed(1)} | ${row.errors} |`);
    console.log(`\nFastify / Express: ${(mean(rows.Fastify!.rps) / mean(rows['Express 5']!.rps)).toFixed(2)}x`);
  } finally {
    await apollo.stop();
    await closeHttp(server);
    await subgraph.close();
    await stack.stop();
  }
}

void main();
