// Floor: what a user gets without this project. A stock Apollo subgraph, or a stock Apollo gateway in front of
// it, each with startStandaloneServer and default settings, serving a trivial field. One process each.
//   tsx bench/floors/stock-apollo.ts subgraph          -> prints {"url": ...}
//   tsx bench/floors/stock-apollo.ts gateway <url>     -> prints {"url": ...}

import { ApolloGateway, IntrospectAndCompose } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

async function main(): Promise<void> {
  const [role, subgraphUrl] = process.argv.slice(2);
  const server =
    role === 'subgraph'
      ? new ApolloServer({
          schema: buildSubgraphSchema({ typeDefs: parse('type Query { hello: String }'), resolvers: { Query: { hello: () => 'world' } } }),
        })
      : new ApolloServer({
          gateway: new ApolloGateway({ supergraphSdl: new IntrospectAndCompose({ subgraphs: [{ name: 'hello', url: subgraphUrl! }] }) }),
        });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
  process.stdout.write(`${JSON.stringify({ url })}\n`);
}

void main();
