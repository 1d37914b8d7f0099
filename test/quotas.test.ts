// Quotas of work on a real gateway (in memory, no Redis): over quota, a 429 held before it is sent; work that no
// refill can ever admit, a 400 at once that takes nothing from the bucket; GraphQL and REST alike.

import { apiKeyDigest } from '../gateway/src/clients';
import { startStack, type Stack } from '../harness/stack';

const KEY = 'quota-test-key-0123456789';
/** 20 units a second, 60 at once; refusals held 1 s. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    gateway: {
      clients: [{ name: 'tester', apiKeySha256: apiKeyDigest(KEY), workPerSecond: 20, burst: 60, freeformOperations: false }],
      quotas: { holdMs: 1000 },
    },
  });
}, 30_000);
afterAll(() => stack.stop());

const headers = { 'content-type': 'application/json', 'x-api-key': KEY };
async function post(query: string) {
  const started = performance.now();
  const response = await fetch(`${stack.gatewayUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { data?: unknown; errors?: { message: string; extensions: { code: string } }[] };
  return { status: response.status, headers: response.headers, body, ms: performance.now() - started };
}

it('refuses work over the burst at once with 400 BAD_USER_INPUT, no Retry-After, and takes nothing from the bucket', async () => {
  // C(100000, 50000): 30,101 digits, 32 units; ten of them, 320 units: over the burst of 60 whatever the bucket holds.
  const heavy = `{ ${Array.from({ length: 10 }, (_, i) => `a${i}: ncr(n: 100000, r: ${50_000 + i})`).join(' ')} }`;
  const refused = await post(heavy);
  expect(refused.status).toBe(400);
  expect(refused.body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
  expect(refused.body.errors?.[0]?.message).toMatch(/^this operation costs \d+ units of work, more than this client's burst of 60/);
  expect(refused.headers.get('retry-after')).toBeNull();
  expect(refused.ms).toBeLessThan(700); // not held
  // The bucket is whole: a small request is admitted, with what is left said in RateLimit.
  const small = await post('{ ncr(n: 20, r: 10) }');
  expect(small.status).toBe(200);
  expect(small.headers.get('ratelimit-policy')).toBe('"work";q=60;w=3');
});

it('refuses over quota with 429 RATE_LIMITED and Retry-After, held before it is sent; REST alike', async () => {
  // 8 at a time: sent one by one they might not outrun 20 units a second on a busy machine. At most 25 waves.
  let refusal: Awaited<ReturnType<typeof post>> | undefined;
  for (let wave = 0; wave < 25 && !refusal; wave++) {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, k) => post(`{ ncr(n: ${700 + 8 * wave + k}, r: 2) }`)));
    refusal = answers.find((answer) => answer.status === 429);
  }
  expect(refusal!.body.errors?.[0]?.extensions.code).toBe('RATE_LIMITED');
  expect(Number(refusal!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(refusal!.ms).toBeGreaterThanOrEqual(990); // held RATE_LIMIT_HOLD_MS
  // REST alike. The quota's windows are fixed (1 s for the rate): the hold above may have crossed into a new one,
  // so REST requests are sent until one is refused, as the GraphQL ones were (8 at a time, at most 25 waves).
  type RestAnswer = { status: number; ms: number; retryAfter: string | null; body: unknown };
  const getRest = async (n: number): Promise<RestAnswer> => {
    const started = performance.now();
    const response = await fetch(`${stack.gatewayUrl}/api/ncr/${n}/2`, { headers: { 'x-api-key': KEY } });
    return {
      status: response.status,
      ms: performance.now() - started,
      retryAfter: response.headers.get('retry-after'),
      body: await response.json(),
    };
  };
  let rest: RestAnswer | undefined;
  for (let wave = 0; wave < 25 && !rest; wave++) {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, k) => getRest(900 + 8 * wave + k)));
    rest = answers.find((answer) => answer.status === 429);
  }
  expect(rest!.status).toBe(429);
  expect(rest!.ms).toBeGreaterThanOrEqual(990);
  expect(rest!.retryAfter).not.toBeNull();
  expect(rest!.body).toMatchObject({ ncr: null, code: 'RATE_LIMITED' });
  expect((rest!.body as { input: number[] }).input[1]).toBe(2);
  // Another client is not held to it.
  expect((await fetch(`${stack.gatewayUrl}/api/ncr/10/3`)).status).toBe(200);
});
