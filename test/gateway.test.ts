// End to end through the gateway, with the real factorial service, math subgraph and gateway on real sockets.

import { createHash } from 'node:crypto';
import { batchCalls, graphql, metricValue, startStack, type Stack } from '../harness/stack';
import { binomial, slowFactorial } from '../harness/reference';

describe('gateway in development mode (NODE_ENV=development)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ gateway: { production: false } });
  });
  afterAll(() => stack.stop());

  const gql = <T = Record<string, string>>(query: string, variables?: Record<string, unknown>) =>
    graphql<T>(`${stack.gatewayUrl}/graphql`, query, variables);
  const rest = async (path: string) => {
    const response = await fetch(`${stack.gatewayUrl}${path}`);
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  describe('GraphQL', () => {
    it('answers ncr, factorial, npr, catalan and aliases with exact values', async () => {
      const { data, errors } = await gql(
        '{ a: ncr(n: 10, r: 3) b: ncr(n: 500, r: 250) f: factorial(n: 100) p: npr(n: 30, r: 10) c: catalan(n: 40) }',
      );
      expect(errors).toBeUndefined();
      expect(data).toEqual({
        a: '120',
        b: binomial(500, 250).toString(),
        f: slowFactorial(100).toString(),
        p: (slowFactorial(30) / slowFactorial(20)).toString(),
        c: (binomial(80, 40) / 41n).toString(),
      });
    });

    it('takes arguments as variables', async () => {
      const { data } = await gql('query ($n: Int!, $r: Int!) { ncr(n: $n, r: $r) }', { n: 52, r: 5 });
      expect(data).toEqual({ ncr: '2598960' });
    });

    it('resolves Factorial entities through the supergraph', async () => {
      const { data } = await gql<{ factorials: { n: number; value: string }[] }>('{ factorials(ns: [3, 30]) { n value } }');
      expect(data!.factorials).toEqual([
        { n: 3, value: '6' },
        { n: 30, value: slowFactorial(30).toString() },
      ]);
    });

    it('makes one BatchGetFactorials call for an operation with many fields', async () => {
      const before = await batchCalls(stack);
      const fields = Array.from({ length: 25 }, (_, i) => `a${i}: ncr(n: ${100 + i}, r: ${7 + i})`).join(' ');
      const { data, errors } = await gql(`{ ${fields} f: factorial(n: 77) }`);
      expect(errors).toBeUndefined();
      expect(data!.a24).toBe(binomial(124, 31).toString());
      expect(await batchCalls(stack)).toBe(before + 1);
    });

    it("passes the subgraph's error codes through, with the message and no stack trace", async () => {
      const { errors } = await gql('{ ncr(n: 3, r: 10) }');
      expect(errors).toEqual([
        { message: 'r must be at most n (got n = 3, r = 10)', path: ['ncr'], extensions: { code: 'BAD_USER_INPUT' } },
      ]);
    });

    it('refuses a mutation or subscription with 400, not a planner crash', async () => {
      for (const type of ['mutation', 'subscription']) {
        const response = await gql(`${type} { ncr(n: 1, r: 1) }`);
        expect(response.status).toBe(400);
        expect(response.errors?.[0]).toMatchObject({
          message: `This API serves queries only: the schema has no ${type} type.`,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        });
      }
    });

    it('refuses an operation name the document lacks with 400, not an unexpected error', async () => {
      const post = async (body: object) => {
        const response = await fetch(`${stack.gatewayUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: response.status, ...((await response.json()) as { errors?: unknown[]; data?: unknown }) };
      };
      const code = { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } };
      expect(await post({ query: '{ ncr(n: 10, r: 3) }', operationName: 'x' })).toEqual({
        status: 400,
        errors: [{ message: 'Unknown operation named "x".', ...code }],
      });
      const two = 'query A { ncr(n: 10, r: 3) } query B { ncr(n: 11, r: 3) }';
      expect(await post({ query: two })).toEqual({
        status: 400,
        errors: [{ message: 'Must provide operation name if query contains multiple operations.', ...code }],
      });
      expect(await post({ query: two, operationName: 'B' })).toEqual({ status: 200, data: { ncr: '165' } });
    });

    it('refuses a GET that could be a cross-site request (CSRF prevention)', async () => {
      const response = await fetch(`${stack.gatewayUrl}/graphql?query=${encodeURIComponent('{ ncr(n: 4, r: 2) }')}`);
      expect(response.status).toBe(400);
      const allowed = await fetch(`${stack.gatewayUrl}/graphql?query=${encodeURIComponent('{ ncr(n: 4, r: 2) }')}`, {
        headers: { 'apollo-require-preflight': 'true' },
      });
      expect(await allowed.json()).toEqual({ data: { ncr: '6' } });
    });

    it("sends Apollo's cache policy, merged from the subgraphs' hints: immutable for a successful query, and nothing else", async () => {
      const get = async (query: string, extensions?: object) => {
        const params = new URLSearchParams(extensions ? { extensions: JSON.stringify(extensions) } : { query });
        const response = await fetch(`${stack.gatewayUrl}/graphql?${params}`, { headers: { 'apollo-require-preflight': 'true' } });
        return {
          cacheControl: response.headers.get('cache-control'),
          vary: response.headers.get('vary'),
          body: (await response.json()) as { data?: unknown; errors?: unknown },
        };
      };
      const ok = await get('{ __typename ncr(n: 30, r: 4) f: factorial(n: 12) }');
      expect(ok.body).toEqual({ data: { __typename: 'Query', ncr: '27405', f: '479001600' } });
      expect(ok.cacheControl).toBe('public, max-age=31536000, immutable');
      // A shared cache keeps one answer per Accept: the content type follows it.
      expect(ok.vary).toBe('accept');
      // Fields of both subgraphs, entities included: the policy is the most restrictive of their hints.
      const crossing = await get('{ binomial(n: 40, r: 20) { value digitCount } factorials(ns: [5]) { trailingZeros } }');
      expect(crossing.body).toEqual({ data: { binomial: { value: '137846528820', digitCount: 12 }, factorials: [{ trailingZeros: 1 }] } });
      expect(crossing.cacheControl).toBe('public, max-age=31536000, immutable');
      // A fragment at the root is looked into like any selection.
      expect((await get('{ ... on Query { ncr(n: 5, r: 2) } }')).cacheControl).toBe('public, max-age=31536000, immutable');
      // Bad input, introspection (it changes with a deploy) and an answer that asked no subgraph: not cached.
      expect((await get('{ ncr(n: 3, r: 10) }')).cacheControl).toBe('no-store');
      const introspection = await get('{ __schema { queryType { name } } }');
      expect(introspection.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
      expect(introspection.cacheControl).toBe('no-store');
      expect((await get('{ __typename }')).cacheControl).toBe('no-store');
      // A POST answer says the same (HTTP caches do not keep POSTs, but a client's own cache may).
      const post = await fetch(`${stack.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ ncr(n: 30, r: 4) }' }),
      });
      expect(post.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      // An automatic persisted query: registered once by POST, then a short GET URL that a CDN can keep.
      const query = '{ ncr(n: 31, r: 4) }';
      const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
      expect((await get(query, { persistedQuery })).body).toMatchObject({
        errors: [{ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }],
      });
      const registered = await fetch(`${stack.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, extensions: { persistedQuery } }),
      });
      expect(await registered.json()).toEqual({ data: { ncr: '31465' } });
      expect(await get(query, { persistedQuery })).toEqual({
        cacheControl: 'public, max-age=31536000, immutable',
        vary: 'accept',
        body: { data: { ncr: '31465' } },
      });
    });

    it('serves Apollo Sandbox to a browser', async () => {
      const response = await fetch(`${stack.gatewayUrl}/graphql`, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(await response.text()).toContain('Apollo Sandbox cannot be loaded');
    });
  });

  describe('REST', () => {
    it('answers /api/ncr/10/3 as the tutorial did, cacheable forever', async () => {
      const { status, headers, text } = await rest('/api/ncr/10/3');
      expect(status).toBe(200);
      expect(text).toBe('{"input":[10,3],"ncr":120,"msg":"Success"}');
      expect(headers.get('content-type')).toContain('application/json');
      expect(headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    });

    it('names the request in x-request-id, for a cached answer and for bad input too', async () => {
      await rest('/api/ncr/12/5');
      for (const path of ['/api/ncr/12/5', '/api/ncr/12/x']) {
        const response = await fetch(`${stack.gatewayUrl}${path}`, { headers: { 'x-request-id': 'rest-id-1' } });
        expect(response.headers.get('x-request-id')).toBe('rest-id-1');
      }
    });

    it('writes results above 2^53 exactly, as a JSON number literal', async () => {
      const { text } = await rest('/api/ncr/200/100');
      expect(text).toBe(`{"input":[200,100],"ncr":${binomial(200, 100)},"msg":"Success"}`);
      expect(binomial(200, 100)).toBeGreaterThan(2n ** 53n);
    });

    it('accepts an integral decimal such as 10.0', async () => {
      expect((await rest('/api/ncr/10.0/3')).text).toBe('{"input":[10,3],"ncr":120,"msg":"Success"}');
    });

    it.each([
      ['/api/ncr/3/10', [3, 10], 'r must be at most n (got n = 3, r = 10)'],
      ['/api/ncr/-1/0', ['-1', 0], 'n must be a non-negative integer (got n = -1)'],
      ['/api/ncr/abc/3', ['abc', 3], 'n must be a non-negative integer in decimal digits (got n = "abc")'],
      ['/api/ncr/+5/3', ['+5', 3], 'n must be a non-negative integer in decimal digits (got n = "+5")'],
      ['/api/ncr/10.5/3', ['10.5', 3], 'n must be an integer (got n = 10.5)'],
      ['/api/ncr/1000001/2', [1000001, 2], 'n must be at most 1000000 (MAX_N) (got n = 1000001)'],
      ['/api/ncr/1e309/2', ['1e309', 2], 'n must be a non-negative integer in decimal digits (got n = "1e309")'],
    ])('answers %s with 400, ncr null, a message and BAD_USER_INPUT', async (path, input, msg) => {
      const { status, headers, text } = await rest(path);
      expect(status).toBe(400);
      expect(JSON.parse(text)).toEqual({ input, ncr: null, msg, code: 'BAD_USER_INPUT' });
      expect(headers.get('cache-control')).toBe('no-store');
    });

    it('answers an over-long path segment with 400 in the REST shape, not an echo of the URL', async () => {
      const { status, text } = await rest(`/api/ncr/${'9'.repeat(1500)}/3`);
      expect(status).toBe(400);
      expect(JSON.parse(text)).toEqual({
        input: [],
        ncr: null,
        msg: 'n and r must be decimal integers (a path segment is longer than 1000 characters)',
        code: 'BAD_USER_INPUT',
      });
    });

    it('answers an unknown route with 404 and a JSON error', async () => {
      const { status, text } = await rest('/api/ncr/10');
      expect(status).toBe(404);
      expect(JSON.parse(text)).toEqual({ errors: [{ message: 'not found', extensions: { code: 'NOT_FOUND' } }] });
    });
  });

  describe('probes', () => {
    it('answers /health and /ready', async () => {
      expect(await (await fetch(`${stack.gatewayUrl}/health`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${stack.gatewayUrl}/ready`)).json()).toEqual({ ready: true });
    });

    it('exposes http_request_duration_seconds by route pattern on /metrics', async () => {
      await rest('/api/ncr/12/4');
      const text = await (await fetch(stack.gatewayMetricsUrl)).text();
      expect(text).toContain('http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/ncr/:n/:r",status_code="200"}');
      expect(
        await metricValue(stack.gatewayRegistry, 'http_request_duration_seconds', { route: '/api/ncr/:n/:r', status_code: '400' }),
      ).toBeGreaterThan(0);
    });
  });

  describe('when a backend is down', () => {
    it('answers 503 FACTORIAL_UNAVAILABLE over REST and GraphQL while the factorial service is down', async () => {
      await stack.stopFactorial();
      try {
        const { status, text } = await rest('/api/ncr/61/30');
        expect(status).toBe(503);
        expect(JSON.parse(text)).toMatchObject({ input: [61, 30], ncr: null, code: 'FACTORIAL_UNAVAILABLE' });
        const { errors } = await gql('{ ncr(n: 61, r: 29) }');
        expect(errors?.[0]?.extensions?.code).toBe('FACTORIAL_UNAVAILABLE');
      } finally {
        await stack.startFactorial();
      }
    });

    it('reports not ready while the math subgraph is down', async () => {
      await stack.stopMath();
      // Readiness is cached for a second; poll until the probe has looked again.
      const until = Date.now() + 5000;
      let ready = true;
      while (ready && Date.now() < until) {
        const response = await fetch(`${stack.gatewayUrl}/ready`);
        ready = response.status === 200;
        if (ready) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready).toBe(false);
    });
  });
});

describe('gateway in production mode (the default)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ gateway: true });
  });
  afterAll(() => stack.stop());

  it('refuses introspection', async () => {
    const { errors } = await graphql(`${stack.gatewayUrl}/graphql`, '{ __schema { types { name } } }');
    expect(errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('gives no "did you mean" hints (development does: Did you mean "ncr"?)', async () => {
    const { errors } = await graphql(`${stack.gatewayUrl}/graphql`, '{ nc(n: 1, r: 1) }');
    expect(errors?.[0]?.message).toBe('Cannot query field "nc" on type "Query".');
  });

  it('serves the production landing page, not Sandbox', async () => {
    const html = await (await fetch(`${stack.gatewayUrl}/graphql`, { headers: { accept: 'text/html' } })).text();
    expect(html).toContain('The full landing page cannot be loaded');
    expect(html).not.toContain('Apollo Sandbox cannot be loaded');
  });
});
