// Each limit accepts an operation at the limit, rejects one just above it with a code, and a rejection costs no gRPC call.

import { ratioDigits } from '../lib/math';
import { batchCalls, graphql, startStack, type Stack, type StackOptions } from '../harness/stack';

async function withStack<T>(options: StackOptions, body: (stack: Stack) => Promise<T>): Promise<T> {
  const stack = await startStack(options);
  try {
    return await body(stack);
  } finally {
    await stack.stop();
  }
}

const aliases = (k: number) => `{ ${Array.from({ length: k }, (_, i) => `a${i}: ncr(n: 5, r: 2)`).join(' ')} }`;

describe.each([
  [
    'depth',
    { maxDepth: 3 },
    '{ factorials(ns: [1]) { n ... { value } } }',
    '{ factorials(ns: [1]) { n ... { value ... { n } } } }',
    'Query depth limit of 3 exceeded, found 4.',
    'GRAPHQL_VALIDATION_FAILED',
  ],
  ['aliases', { maxAliases: 3 }, aliases(3), aliases(4), 'Aliases limit of 3 exceeded, found 4.', 'GRAPHQL_VALIDATION_FAILED'],
  [
    'root fields',
    { maxRootFields: 4 },
    '{ ncr(n: 5, r: 2) factorial(n: 3) npr(n: 3, r: 1) catalan(n: 3) }',
    '{ ncr(n: 5, r: 2) factorial(n: 3) npr(n: 3, r: 1) catalan(n: 3) multinomial(ks: [1, 2]) }',
    'Root fields limit of 4 exceeded, found 5.',
    'GRAPHQL_VALIDATION_FAILED',
  ],
  [
    'tokens',
    { maxTokens: 11 },
    '{ ncr(n: 5, r: 2) }',
    '{ a: ncr(n: 5, r: 2) }',
    'Document contains more that 11 tokens. Parsing aborted.',
    'GRAPHQL_PARSE_FAILED',
  ],
  [
    'directives',
    { maxDirectives: 2 },
    '{ ncr(n: 5, r: 2) @include(if: true) @skip(if: false) }',
    '{ ncr(n: 5, r: 2) @include(if: true) @skip(if: false) factorial(n: 3) @include(if: true) }',
    'Directives limit of 2 exceeded, found 3.',
    'GRAPHQL_VALIDATION_FAILED',
  ],
  ['cost', { maxCost: 3 }, aliases(3), aliases(4), 'Query Cost limit of 3 exceeded, found 4.', 'GRAPHQL_VALIDATION_FAILED'],
])('the %s limit', (_name, limits, atLimit, above, message, code) => {
  it('accepts an operation at the limit and rejects one just above it, before any gRPC call', async () => {
    await withStack({ gateway: { limits } }, async (stack) => {
      const url = `${stack.gatewayUrl}/graphql`;
      const accepted = await graphql(url, atLimit);
      expect(accepted.errors).toBeUndefined();
      expect(accepted.data).toBeTruthy();

      const calls = await batchCalls(stack);
      const rejected = await graphql(url, above);
      expect(rejected.status).toBe(400);
      expect(rejected.errors?.[0]?.message).toContain(message);
      expect(rejected.errors?.[0]?.extensions?.code).toBe(code);
      expect(await batchCalls(stack)).toBe(calls);
    });
  });
});

describe('the request body limit', () => {
  it('accepts a body of exactly the limit and answers 413 with a JSON error one byte above', async () => {
    await withStack({ gateway: { bodyLimit: 2048 } }, async (stack) => {
      const body = (size: number) => {
        const base = JSON.stringify({ query: '{ ncr(n: 5, r: 2) }', pad: '' });
        return base.replace('"pad":""', `"pad":"${'x'.repeat(size - base.length)}"`);
      };
      const post = (text: string) =>
        fetch(`${stack.gatewayUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
      const atLimit = await post(body(2048));
      expect(await atLimit.json()).toEqual({ data: { ncr: '10' } });
      const calls = await batchCalls(stack);
      const above = await post(body(2049));
      expect(above.status).toBe(413);
      expect(await above.json()).toEqual({
        errors: [{ message: 'request body too large (limit 2048 bytes)', extensions: { code: 'BAD_REQUEST' } }],
      });
      expect(await batchCalls(stack)).toBe(calls);
    });
  });
});

describe('batched HTTP requests', () => {
  it('are refused, with no gRPC call', async () => {
    await withStack({ gateway: true }, async (stack) => {
      const calls = await batchCalls(stack);
      const response = await fetch(`${stack.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ query: '{ ncr(n: 5, r: 2) }' }, { query: '{ ncr(n: 6, r: 2) }' }]),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ errors: [{ message: 'Operation batching disabled.', extensions: { code: 'BAD_REQUEST' } }] });
      expect(await batchCalls(stack)).toBe(calls);
    });
  });
});

describe('the math limits, through the gateway', () => {
  const digits = ratioDigits([100], [50, 50]);

  it.each([
    ['MAX_N', { maxN: 1000 }, '{ ncr(n: 1000, r: 500) }', '{ ncr(n: 1001, r: 2) }', 'n must be at most 1000 (MAX_N) (got n = 1001)'],
    [
      'MAX_RESULT_DIGITS',
      { maxResultDigits: digits },
      '{ ncr(n: 100, r: 50) }',
      '{ ncr(n: 110, r: 55) }',
      `the result would have about ${ratioDigits([110], [55, 55])} digits, above the limit of ${digits} (MAX_RESULT_DIGITS) (got n = 110, r = 55)`,
    ],
    [
      'MAX_OPERATION_DIGITS',
      { maxOperationDigits: 3 * digits },
      '{ a: ncr(n: 100, r: 50) b: ncr(n: 100, r: 50) c: ncr(n: 100, r: 50) }',
      '{ a: ncr(n: 100, r: 50) b: ncr(n: 100, r: 50) c: ncr(n: 100, r: 50) d: ncr(n: 100, r: 50) }',
      `the operation's results would have about ${4 * digits} digits in all, above the limit of ${3 * digits} (MAX_OPERATION_DIGITS) (got n = 100, r = 50)`,
    ],
  ])(
    '%s accepts at the limit and rejects just above it with BAD_USER_INPUT and no gRPC call',
    async (_name, math, atLimit, above, message) => {
      await withStack({ math, gateway: true }, async (stack) => {
        const url = `${stack.gatewayUrl}/graphql`;
        expect((await graphql(url, atLimit)).errors).toBeUndefined();
        const calls = await batchCalls(stack);
        const rejected = await graphql(url, above);
        expect(rejected.errors?.[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT' } });
        expect(await batchCalls(stack)).toBe(calls);
      });
    },
  );
});

describe('the primes limits, through the gateway', () => {
  // The factorization of 1000! holds at most pi(1000) = 168 prime powers; of 100!, pi(100) = 25.
  it('MAX_OPERATION_PRIMES accepts answers that hold at most the limit and refuses one more, with BAD_USER_INPUT and no gRPC call', async () => {
    await withStack({ primes: { maxOperationPrimes: 168 + 25 }, gateway: true }, async (stack) => {
      const url = `${stack.gatewayUrl}/graphql`;
      // One list: one _entities fetch to the primes subgraph, one request there (a plan sends each alias's its own).
      const atLimit = await graphql(url, '{ factorials(ns: [1000, 100]) { primeFactorization { prime } } }');
      expect(atLimit.errors).toBeUndefined();
      const calls = await batchCalls(stack);
      const above = await graphql(url, '{ factorials(ns: [1000, 101]) { primeFactorization { prime } } }');
      expect(above.errors?.[0]).toMatchObject({
        message:
          "the operation's answers could hold 194 prime powers and primes in all, above the limit of 193 (MAX_OPERATION_PRIMES) (got the factorization of 101!)",
        extensions: { code: 'BAD_USER_INPUT' },
      });
      expect(await batchCalls(stack)).toBe(calls);
    });
  });

  it('primes(from, to) accepts a range of MAX_N and refuses a wider or reversed one', async () => {
    await withStack({ math: { maxN: 1000 }, primes: { maxN: 1000 }, gateway: true }, async (stack) => {
      const url = `${stack.gatewayUrl}/graphql`;
      const atLimit = await graphql<{ primes: number[] }>(url, '{ primes(from: 1000, to: 2000) }');
      expect(atLimit.data?.primes).toHaveLength(135);
      for (const [query, message] of [
        ['{ primes(from: 1000, to: 2001) }', 'to - from must be at most 1000 (MAX_N) (got from = 1000, to = 2001)'],
        ['{ primes(from: 50, to: 10) }', 'to must be at least from (got from = 50, to = 10)'],
        ['{ primes(from: -1, to: 10) }', 'from must be a non-negative integer (got from = -1)'],
      ] as const) {
        expect((await graphql(url, query)).errors?.[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT' } });
      }
    });
  });
});

describe('the answer size limit, at the gateway', () => {
  it('MAX_RESPONSE_BYTES counts every fetch of a plan together: 10 aliases of a 200,000! factorization are refused as one', async () => {
    await withStack({ gateway: { maxResponseBytes: 1024 * 1024 } }, async (stack) => {
      const url = `${stack.gatewayUrl}/graphql`;
      // One factorization of 200,000! (17,984 prime powers, about 540 KB) fits; the plan sends each alias its own fetch.
      const field = 'factorials(ns: [200000]) { primeFactorization { prime exponent } }';
      const one = await graphql<{ f: { primeFactorization: unknown[] }[] }>(url, `{ f: ${field} }`);
      expect(one.data?.f[0]!.primeFactorization).toHaveLength(17_984);
      const many = await graphql(url, `{ ${Array.from({ length: 10 }, (_, i) => `a${i}: ${field}`).join(' ')} }`);
      // One error, however many fetches it cut off.
      expect(many.errors).toEqual([
        {
          message: "the operation's answer would take more than 1048576 bytes (MAX_RESPONSE_BYTES); ask for less in one operation",
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ]);
    });
  }, 60_000);
});
