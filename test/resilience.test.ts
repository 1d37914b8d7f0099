// Time budgets, client disconnects and overload, end to end: work stops when nobody waits, saturation is a 429.

import { Representation } from '../generated/proto/factorial/v1/factorial';
import { createFactorialClient } from '../services/factorial/client';
import { unary } from '../harness/grpc';
import { graphql, metricValue, startStack } from '../harness/stack';

async function waitFor(condition: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the request time budget', () => {
  it("ends a REST request with 504 DEADLINE_EXCEEDED and stops the subgraph's work", async () => {
    const stack = await startStack({ gateway: { requestTimeoutMs: 100 } });
    try {
      const response = await fetch(`${stack.gatewayUrl}/api/ncr/999999/499999`);
      expect(response.status).toBe(504);
      expect(await response.json()).toEqual({
        input: [999999, 499999],
        ncr: null,
        msg: "the request's time budget ran out",
        code: 'DEADLINE_EXCEEDED',
      });
      await waitFor(() => stack.math.pool.stats().busy === 0);
    } finally {
      await stack.stop();
    }
  });
});

describe('a client that goes away', () => {
  it('cancels the subgraph call, which stops the worker computing its answer', async () => {
    const stack = await startStack({ gateway: true });
    try {
      const client = new AbortController();
      // 205,000! has about 1,000,000 digits: its decimal form takes seconds on a math worker.
      const request = fetch(`${stack.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ factorial(n: 205000) }' }),
        signal: client.signal,
      }).catch((error: Error) => error.name);
      await waitFor(() => stack.math.pool.stats().busy === 1);
      const abortedBefore = stack.math.pool.stats().aborted;
      client.abort();
      expect(await request).toBe('AbortError');
      await waitFor(() => stack.math.pool.stats().aborted === abortedBefore + 1);
      expect(stack.math.pool.stats().busy).toBe(0);
    } finally {
      await stack.stop();
    }
  });
});

describe('overload', () => {
  it("answers 429 RESOURCE_EXHAUSTED over REST, and RESOURCE_EXHAUSTED over GraphQL, when the factorial service's queue is full", async () => {
    // One factorial worker and no queue; every factorial goes to the worker.
    const stack = await startStack({
      factorial: { workers: 1, maxQueue: 0, inlineValueMaxN: 0, inlineExponentsMaxN: 0, cacheBytes: 0 },
      gateway: true,
    });
    try {
      // Occupy the only worker with 10^6! (about half a second), straight over gRPC.
      const client = createFactorialClient(stack.factorialAddress);
      const busy = unary(client.getFactorial.bind(client), { n: 1_000_000, representation: Representation.REPRESENTATION_VALUE });
      await waitFor(async () => (await metricValue(stack.factorialRegistry, 'factorial_worker_pool_tasks', { state: 'busy' })) === 1);
      const rest = await fetch(`${stack.gatewayUrl}/api/ncr/5000/2500`);
      expect(rest.status).toBe(429);
      expect(await rest.json()).toMatchObject({ input: [5000, 2500], ncr: null, code: 'RESOURCE_EXHAUSTED' });
      const gql = await graphql(`${stack.gatewayUrl}/graphql`, '{ ncr(n: 5001, r: 2500) }');
      expect(gql.errors?.[0]?.extensions?.code).toBe('RESOURCE_EXHAUSTED');
      expect((await busy).n).toBe(1_000_000);
      client.close();
    } finally {
      await stack.stop();
    }
  });
});
