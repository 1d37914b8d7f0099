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
