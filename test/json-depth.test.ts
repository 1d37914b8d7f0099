// A client's JSON nested 100,000 deep, in every place a server walks it (variables, extensions, entity
// representations, the cache of answers' keys), at the gateway and at each subgraph reached directly: refused with
// 400 BAD_REQUEST, never a 500 or a crash; the deepest value admitted still answers.

import { MAX_JSON_DEPTH } from '../lib/http';
import { startStack, type Stack } from '../harness/stack';

const ONE_MB = 1024 * 1024;
let stack: Stack;
beforeAll(async () => {
  // Bodies up to 1 MB, so that a 100,000-deep value reaches the server's walks rather than the body limit.
  stack = await startStack({ gateway: { bodyLimit: ONE_MB }, mathServer: { bodyLimit: ONE_MB }, primesServer: { bodyLimit: ONE_MB } });
}, 60_000);
afterAll(() => stack.stop());

/** JSON text of an array, or an object, nested `depth` deep (built as text: JSON.stringify itself would overflow). */
const nested = (shape: 'array' | 'object', depth: number): string =>
  shape === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

async function post(
  url: string,
  body: string,
): Promise<{ status: number; body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, body: (await response.json()) as never };
}

const ncr = JSON.stringify('query($n: Int!) { ncr(n: $n, r: 2) }');
const entities = JSON.stringify('query($r: [_Any!]!) { _entities(representations: $r) { ... on Factorial { digitCount } } }');
/** Request bodies, each with a nested value of `depth` levels inside it, in one place a server walks. */
const places: Record<string, (value: string) => string> = {
  'a declared variable': (value) => `{"query":${JSON.stringify('query($x: [Int!]) { ncr(n: 5, r: 2) }')},"variables":{"x":${value}}}`,
  'a variable the operation does not declare (the cache key still reads it)': (value) =>
    `{"query":${ncr},"variables":{"n":5,"y":${value}}}`,
  'the extensions': (value) => `{"query":${ncr},"variables":{"n":5},"extensions":{"x":${value}}}`,
};

describe.each(['gateway', 'math'] as const)('at the %s', (server) => {
  const url = (): string => (server === 'gateway' ? `${stack.gatewayUrl}/graphql` : stack.mathUrl);
  describe.each(Object.entries(places))('in %s', (_place, body) => {
    it.each(['array', 'object'] as const)('refuses a 100,000-deep %s with 400 BAD_REQUEST', async (shape) => {
      const answer = await post(url(), body(nested(shape, 100_000)));
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
      expect(answer.body.errors?.[0]?.message).toBe(`the request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`);
    });
  });

  it(`answers a value nested to the limit (${MAX_JSON_DEPTH} levels, the body's own included), and refuses one level more`, async () => {
    // {"query": ..., "variables": {"n": 5, "y": <value>}}: the body and its variables are two levels.
    const atLimit = await post(
      url(),
      places['a variable the operation does not declare (the cache key still reads it)']!(nested('array', MAX_JSON_DEPTH - 2)),
    );
    expect(atLimit.status).toBe(200);
    expect(atLimit.body).toEqual({ data: { ncr: '10' } });
    const over = await post(
      url(),
      places['a variable the operation does not declare (the cache key still reads it)']!(nested('array', MAX_JSON_DEPTH - 1)),
    );
    expect(over.status).toBe(400);
    expect(over.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });

  it("refuses a GET whose variables or extensions nest too deep, and a URL too long for the server's headers, each with a code", async () => {
    for (const name of ['variables', 'extensions']) {
      const query = encodeURIComponent('{ ncr(n: 5, r: 2) }');
      const response = await fetch(`${url()}?query=${query}&${name}=${encodeURIComponent(nested('array', 2_000))}`, {
        headers: { 'apollo-require-preflight': 'true' },
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]).toEqual({
        message: `the ${name} parameter nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
        extensions: { code: 'BAD_REQUEST' },
      });
    }
    const tooLong = await fetch(`${url()}?query=${encodeURIComponent('{ ncr(n: 5, r: 2) }')}&variables=${'%5B'.repeat(10_000)}`);
    expect(tooLong.status).toBe(431);
    expect(((await tooLong.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('BAD_REQUEST');
  });
});

describe('entity representations sent to the primes subgraph directly', () => {
  it.each(['array', 'object'] as const)('refuses a representation with a 100,000-deep %s key with 400 BAD_REQUEST', async (shape) => {
    const answer = await post(
      stack.primesUrl,
      `{"query":${entities},"variables":{"r":[{"__typename":"Factorial","n":${nested(shape, 100_000)}}]}}`,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });

  it('refuses 100,000 levels in its variables and extensions too, and still answers a good representation', async () => {
    for (const body of Object.values(places)) {
      const answer = await post(stack.primesUrl, body(nested('object', 100_000)));
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    }
    const good = await post(stack.primesUrl, `{"query":${entities},"variables":{"r":[{"__typename":"Factorial","n":10}]}}`);
    expect(good.body).toEqual({ data: { _entities: [{ digitCount: 7 }] } });
  });
});

it('kept every server up and answering after all of it', async () => {
  const answer = await post(`${stack.gatewayUrl}/graphql`, `{"query":${ncr},"variables":{"n":52}}`);
  expect(answer.body).toEqual({ data: { ncr: '1326' } });
  expect((await post(stack.mathUrl, `{"query":${ncr},"variables":{"n":52}}`)).body).toEqual({ data: { ncr: '1326' } });
});
