// The gateway's cache of answers, end to end: the real factorial service, both subgraphs and the gateway on real
// sockets. What the subgraphs hear is read off their operation counters; what the cache holds, off its gauge.

import { createHash } from 'node:crypto';
import { metricValue, startStack, type Stack } from '../harness/stack';
import { binomial, binomialModPrime, slowFactorial } from '../harness/reference';

jest.setTimeout(120_000);

const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Answer {
  status: number;
  cache: string | null;
  cacheControl: string | null;
  age: string | null;
  requestId: string | null;
  body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
}

async function answerOf(response: Response): Promise<Answer> {
  return {
    status: response.status,
    cache: response.headers.get('x-cache'),
    cacheControl: response.headers.get('cache-control'),
    age: response.headers.get('age'),
    requestId: response.headers.get('x-request-id'),
    body: (await response.json()) as Answer['body'],
  };
}

describe("the gateway's cache of answers", () => {
  let stack: Stack;
  beforeAll(async () => {
    // Development mode, so that introspection is allowed (and can be shown never to be kept).
    stack = await startStack({ gateway: { production: false } });
  });
  afterAll(() => stack?.stop());

  const post = async (body: object, headers: Record<string, string> = {}) =>
    answerOf(
      await fetch(`${stack.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    );
  const get = async (params: Record<string, string>, headers: Record<string, string> = { 'apollo-require-preflight': 'true' }) =>
    answerOf(await fetch(`${stack.gatewayUrl}/graphql?${new URLSearchParams(params)}`, { headers }));
  /** Operations the math and primes subgraphs have executed. */
  const heard = async () =>
    (await metricValue(stack.mathRegistry, 'math_operations_total')) + (await metricValue(stack.primesRegistry, 'primes_operations_total'));
  const lookups = (result: 'hit' | 'miss') => metricValue(stack.gatewayRegistry, 'cache_lookups_total', { cache: 'graphql', result });

  it('answers a repeated POST from the cache: the subgraphs hear it once, the client reads the same bytes', async () => {
    const query = '{ binomial(n: 300, r: 150) { value digitCount } f: factorial(n: 250) }';
    const before = await heard();
    const first = await post({ query });
    expect(first.body).toEqual({
      data: {
        binomial: { value: binomial(300, 150).toString(), digitCount: binomial(300, 150).toString().length },
        f: slowFactorial(250).toString(),
      },
    });
    expect(first).toMatchObject({ status: 200, cache: 'miss', cacheControl: IMMUTABLE });
    // Both subgraphs took part in the first.
    expect(await heard()).toBe(before + 2);
    const hitsBefore = await lookups('hit');
    for (let i = 0; i < 5; i++) {
      const again = await post({ query }, { 'x-request-id': `again-${i}` });
      expect(again).toMatchObject({ status: 200, cache: 'hit', cacheControl: IMMUTABLE, requestId: `again-${i}` });
      expect(Number(again.age)).toBeGreaterThanOrEqual(0);
      expect(again.body).toEqual(first.body);
    }
    expect(await heard()).toBe(before + 2);
    expect(await lookups('hit')).toBe(hitsBefore + 5);
  });

  it('knows the same operation written differently: spacing, comments, commas, the order of variables', async () => {
    const text = 'query Pair($n: Int!, $r: Int!) { ncr(n: $n, r: $r) npr(n: $n, r: $r) }';
    const first = await post({ query: text, variables: { n: 61, r: 29 }, operationName: 'Pair' });
    expect(first.body.data).toEqual({
      ncr: binomial(61, 29).toString(),
      npr: (slowFactorial(61) / slowFactorial(32)).toString(),
    });
    const before = await heard();
    const respelled = `# the same pair\nquery Pair( $n :Int! $r:Int! ){\n  ncr(n:$n,r:$r),\n  npr(r: $r, n: $n)\n}`;
    const second = await post({ query: respelled, variables: { r: 29, n: 61 }, operationName: 'Pair' });
    // Arguments in another order are another document: that one is computed (and is equal).
    expect(second.body).toEqual(first.body);
    const third = await post({ query: `\n\n${text}  `, variables: { r: 29, n: 61 }, operationName: 'Pair' });
    expect(third).toMatchObject({ cache: 'hit', body: first.body });
    // Only the respelled document with its arguments swapped reached a subgraph.
    expect(await heard()).toBe(before + 1);
  });

  it('keeps different variables, operation names and documents apart', async () => {
    const query = 'query ($n: Int!) { ncr(n: $n, r: 2) }';
    const a = await post({ query, variables: { n: 1000 } });
    const b = await post({ query, variables: { n: 1001 } });
    expect(a.body.data).toEqual({ ncr: binomial(1000, 2).toString() });
    expect(b).toMatchObject({ cache: 'miss', body: { data: { ncr: binomial(1001, 2).toString() } } });
    expect(await post({ query, variables: { n: 1000 } })).toMatchObject({ cache: 'hit', body: a.body });
    expect(await post({ query, variables: { n: 1001 } })).toMatchObject({ cache: 'hit', body: b.body });
    // A string where an Int is expected is refused, never served as the Int's answer.
    expect((await post({ query, variables: { n: '1000' } })).body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const two = 'query A { ncr(n: 70, r: 3) } query B { ncr(n: 70, r: 4) }';
    const opA = await post({ query: two, operationName: 'A' });
    const opB = await post({ query: two, operationName: 'B' });
    expect(opA.body.data).toEqual({ ncr: binomial(70, 3).toString() });
    expect(opB).toMatchObject({ cache: 'miss', body: { data: { ncr: binomial(70, 4).toString() } } });
    expect(await post({ query: two, operationName: 'B' })).toMatchObject({ cache: 'hit', body: opB.body });
  });

  it('never keeps an answer with an error, whole or partial, nor introspection', async () => {
    for (const query of ['{ ncr(n: 3, r: 10) }', '{ a: ncr(n: 5, r: 2) b: ncr(n: 3, r: 10) }', '{ factorial(n: 2000000) }']) {
      const before = await heard();
      const first = await post({ query });
      const second = await post({ query });
      expect(first.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      // Looked up and missed, or refused before any lookup (the gateway's own limits): never a hit.
      expect(second).toMatchObject({ cacheControl: 'no-store', body: first.body });
      expect(second.cache).not.toBe('hit');
      // Every try is checked again by a subgraph (the gateway's own limits refuse some before planning).
      expect(await heard()).toBeGreaterThanOrEqual(before + (query.includes('2000000') ? 0 : 2));
    }
    const introspection = '{ __schema { queryType { name } } }';
    await post({ query: introspection });
    const again = await post({ query: introspection });
    expect(again).toMatchObject({ cacheControl: 'no-store', body: { data: { __schema: { queryType: { name: 'Query' } } } } });
    expect(again.cache).not.toBe('hit');
  });

  it('answers a GET from the cache only as Apollo would answer it: CSRF prevention still applies', async () => {
    const query = '{ ncr(n: 222, r: 111) }';
    const first = await get({ query });
    expect(first).toMatchObject({ status: 200, cache: 'miss', body: { data: { ncr: binomial(222, 111).toString() } } });
    expect(await get({ query })).toMatchObject({ status: 200, cache: 'hit', body: first.body });
    // The same GET from a page on another site (no preflight header): refused, as without a cache.
    const crossSite = await fetch(`${stack.gatewayUrl}/graphql?${new URLSearchParams({ query })}`);
    expect(crossSite.status).toBe(400);
    expect(crossSite.headers.get('x-cache')).toBeNull();
    // An automatic persisted query, registered by POST, then read by its hash from the cache.
    const apq = '{ ncr(n: 223, r: 111) }';
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(apq).digest('hex') };
    const registered = await post({ query: apq, extensions: { persistedQuery } });
    expect(registered.body.data).toEqual({ ncr: binomial(223, 111).toString() });
    const before = await heard();
    const byHash = await get({ extensions: JSON.stringify({ persistedQuery }) });
    expect(byHash).toMatchObject({ status: 200, cache: 'hit', cacheControl: IMMUTABLE, body: registered.body });
    expect(await heard()).toBe(before);
  });

  it('answers each Accept with the content type Apollo chose for it', async () => {
    const query = '{ ncr(n: 90, r: 45) }';
    for (const accept of [
      'application/json',
      'application/graphql-response+json',
      'application/graphql-response+json, application/json;q=0.9',
    ]) {
      for (let i = 0; i < 2; i++) {
        const response = await fetch(`${stack.gatewayUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept },
          body: JSON.stringify({ query }),
        });
        expect(response.headers.get('content-type')).toMatch(
          accept.startsWith('application/json') ? /^application\/json/ : /^application\/graphql-response\+json/,
        );
        expect(response.headers.get('vary')).toMatch(/accept/i);
        expect(await response.json()).toEqual({ data: { ncr: binomial(90, 45).toString() } });
      }
    }
  });

  it('computes a burst of one heavy operation once: the others wait for its answer', async () => {
    // ncr(200000, 100000) has 60,204 digits and is computed on a worker thread: long enough for all to overlap.
    const query = '{ burst: ncr(n: 200000, r: 100000) }';
    const before = await heard();
    const [hits, misses] = [await lookups('hit'), await lookups('miss')];
    const answers = await Promise.all(Array.from({ length: 12 }, () => post({ query })));
    expect(await heard()).toBe(before + 1);
    expect(await lookups('miss')).toBe(misses + 1);
    expect(await lookups('hit')).toBe(hits + 11);
    expect(answers.map((a) => a.cache).sort()).toEqual([...Array<string>(11).fill('hit'), 'miss']);
    const value = answers[0]!.body.data!.burst as string;
    expect(value).toHaveLength(60_204);
    const p = 1_000_003n;
    expect(BigInt(value) % p).toBe(binomialModPrime(200_000, 100_000, p));
    for (const answer of answers) expect(answer.body.data!.burst === value).toBe(true);
  });

  it('computes a burst of one REST pair once too', async () => {
    const before = await heard();
    const answers = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const response = await fetch(`${stack.gatewayUrl}/api/ncr/150000/75000`);
        return { status: response.status, cache: response.headers.get('x-cache'), text: await response.text() };
      }),
    );
    expect(await heard()).toBe(before + 1);
    expect(answers.map((a) => a.cache).sort()).toEqual([...Array<string>(7).fill('hit'), 'miss']);
    const { ncr } = JSON.parse(answers[0]!.text.replace(/"ncr":(\d+)/, '"ncr":"$1"')) as { ncr: string };
    expect(BigInt(ncr) % 1_000_003n).toBe(binomialModPrime(150_000, 75_000, 1_000_003n));
    for (const answer of answers)
      expect({ status: answer.status, same: answer.text === answers[0]!.text }).toEqual({ status: 200, same: true });
  });

  it('lets the waiting requests compute for themselves when the first one fails', async () => {
    // The first refused (an error is never kept): each of the others is checked by the subgraph in turn, none waits forever.
    const answers = await Promise.all(Array.from({ length: 6 }, () => post({ query: '{ ncr(n: 7, r: 9) }' })));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(answer.cache).toBe('miss');
    }
  });

  it('shares its entries with the REST route: each is counted under its own cache label', async () => {
    const restHits = () => metricValue(stack.gatewayRegistry, 'cache_lookups_total', { cache: 'rest', result: 'hit' });
    const before = await restHits();
    const first = await fetch(`${stack.gatewayUrl}/api/ncr/333/100`);
    expect(first.headers.get('x-cache')).toBe('miss');
    const second = await fetch(`${stack.gatewayUrl}/api/ncr/333/100`);
    expect(second.headers.get('x-cache')).toBe('hit');
    expect(second.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(await second.text()).toBe(`{"input":[333,100],"ncr":${binomial(333, 100)},"msg":"Success"}`);
    expect(await restHits()).toBe(before + 1);
  });
});

describe('the cache of answers under a stream of distinct big answers', () => {
  const MAX_BYTES = 1024 * 1024;
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ gateway: { responseCacheBytes: MAX_BYTES } });
  });
  afterAll(() => stack?.stop());

  const cacheBytes = () => metricValue(stack.gatewayRegistry, 'response_cache_bytes');

  it('never holds more than its bound, keeps the newest answers, and skips one answer too big to keep', async () => {
    // Each n! here has about 77,000 digits: 48 of them are over three times the bound.
    let sent = 0;
    let peak = 0;
    for (let round = 0; round < 6; round++) {
      const ns = Array.from({ length: 8 }, (_, i) => 20_000 + round * 8 + i);
      const answers = await Promise.all(
        ns.map(async (n) => {
          const response = await fetch(`${stack.gatewayUrl}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: `{ factorial(n: ${n}) }` }),
          });
          const text = await response.text();
          sent += text.length;
          return { n, text };
        }),
      );
      for (const { n, text } of answers) {
        // Compared as text (a failure names n rather than printing 77,000 digits).
        expect({ n, exact: text.trimEnd() === `{"data":{"factorial":"${slowFactorial(n)}"}}` }).toEqual({ n, exact: true });
      }
      peak = Math.max(peak, await cacheBytes());
      expect(await cacheBytes()).toBeLessThanOrEqual(MAX_BYTES);
    }
    expect(sent).toBeGreaterThan(3 * MAX_BYTES);
    // Near full: the bound is used, not left idle.
    expect(peak).toBeGreaterThan(MAX_BYTES / 2);
    // The newest answer is kept; the oldest was evicted to make room.
    const newest = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ factorial(n: 20047) }' }),
    });
    expect(newest.headers.get('x-cache')).toBe('hit');
    const oldest = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ factorial(n: 20000) }' }),
    });
    expect(oldest.headers.get('x-cache')).toBe('miss');
    await oldest.text();

    // 100,000! (456,574 digits) is more than an eighth of the cache: answered every time, never kept.
    for (let i = 0; i < 2; i++) {
      const big = await fetch(`${stack.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ factorial(n: 100000) }' }),
      });
      expect(big.headers.get('x-cache')).toBe('miss');
      expect(((await big.json()) as { data: { factorial: string } }).data.factorial).toHaveLength(456_574);
    }
    expect(await cacheBytes()).toBeLessThanOrEqual(MAX_BYTES);
  });
});
