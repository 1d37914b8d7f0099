// Floor: Apollo Gateway on Apollo Server with nothing added, in front of this project's running subgraphs. The
// committed supergraph; no plugin, no cache of answers, no quota, no limit, no deadline, no tracing, no metrics;
// node:http (startStandaloneServer) and the same undici keep-alive pool this gateway calls subgraphs with. What this
// architecture costs per request before any of this project's features: the gateway's own CPU per request beside it
// is what they add, and its requests/s beside the Rust ceiling is the most any gateway built on Apollo's can reach here.
//   tsx bench/floors/bare-apollo.ts <math /graphql URL> <primes /graphql URL>  -> prints {"url": ...}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApolloGateway, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { Agent, request } from 'undici';

/** POSTs the subgraph operation and parses the answer: all a data source must do. */
class UndiciDataSource implements GraphQLDataSource {
  private readonly agent = new Agent({ connections: 64 });
  constructor(private readonly url: string) {}

  async process({ request: operation }: GraphQLDataSourceProcessOptions): ReturnType<GraphQLDataSource['process']> {
    const response = await request(this.url, {
      method: 'POST',
      dispatcher: this.agent,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: operation.query, variables: operation.variables, operationName: operation.operationName }),
    });
    return (await response.body.json()) as Awaited<ReturnType<GraphQLDataSource['process']>>;
  }
}

async function main(): Promise<void> {
  const [mathUrl, primesUrl] = process.argv.slice(2);
  const urls: Record<string, string | undefined> = { math: mathUrl, primes: primesUrl };
  const server = new ApolloServer({
    gateway: new ApolloGateway({
      supergraphSdl: fs.readFileSync(path.join(__dirname, '../../supergraph.graphql'), 'utf8'),
      buildService: ({ name }) => new UndiciDataSource(urls[name]!),
    }),
    // The landing page answers GETs only; disabled so that nothing but the operation runs per request.
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
  process.stdout.write(`${JSON.stringify({ url })}\n`);
}

void main();
