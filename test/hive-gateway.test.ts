// Compatibility: the committed supergraph.graphql served unchanged by Hive Gateway in front of the real math and
// primes subgraphs gives the same answers as the Apollo gateway to the same end-to-end queries, plans across both too.

import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { graphql, startStack, type Stack } from '../harness/stack';

const QUERIES = [
  '{ a: ncr(n: 10, r: 3) b: ncr(n: 500, r: 250) f: factorial(n: 100) p: npr(n: 30, r: 10) c: catalan(n: 40) }',
  '{ m: multinomial(ks: [2, 3, 4]) big: ncr(n: 100000, r: 50000) }',
  '{ factorials(ns: [3, 30]) { n value } }',
  '{ ncr(n: 3, r: 10) }',
  // Plans that cross both subgraphs.
  '{ binomial(n: 100, r: 50) { value digitCount primeFactorization { prime exponent } } }',
  '{ factorials(ns: [5, 30, 77]) { n value digitCount trailingZeros t16: trailingZeros(base: 16) } primes(from: 10, to: 50) }',
];

describe('Hive Gateway on the committed supergraph', () => {
  let stack: Stack;
  let hive: Server;
  let hiveUrl: string;
  let runtime: ReturnType<typeof createGatewayRuntime>;
  beforeAll(async () => {
    stack = await startStack({ gateway: true });
    runtime = createGatewayRuntime({
      supergraph: fs.readFileSync(path.join(__dirname, '../supergraph.graphql'), 'utf8'),
      // The supergraph names localhost:4001 and :4002; the test's subgraphs listen on free ports.
      transportEntries: { math: { location: stack.mathUrl }, primes: { location: stack.primesUrl } },
      logging: false,
    });
    hive = createServer(runtime);
    await new Promise<void>((resolve) => hive.listen(0, '127.0.0.1', resolve));
    hiveUrl = `http://127.0.0.1:${(hive.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await new Promise((resolve) => hive.close(resolve));
    await runtime.dispose();
    await stack.stop();
  });

  it.each(QUERIES)('answers %s as the Apollo gateway does', async (query) => {
    const [apollo, viaHive] = await Promise.all([graphql(`${stack.gatewayUrl}/graphql`, query), graphql(hiveUrl, query)]);
    expect(viaHive.data).toEqual(apollo.data);
    if (apollo.errors) {
      expect(viaHive.errors?.map((e) => [e.message, e.extensions?.code])).toEqual(
        apollo.errors.map((e) => [e.message, e.extensions?.code]),
      );
    } else {
      expect(viaHive.errors).toBeUndefined();
      expect(apollo.data).toBeTruthy();
    }
  });
});
