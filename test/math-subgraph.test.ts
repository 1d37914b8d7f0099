// The math subgraph against a real factorial service on real sockets: exact values, batching, errors, concurrency.

import fc from 'fast-check';
import { DEFAULT_LIMITS } from '../lib/graphql';
import { lnFactorial } from '../lib/math';
import { batchCalls, graphql, keysReceived, startStack, type Stack } from '../harness/stack';
import { binomial, binomialModPrime, fallingFactorial, pascalTriangle, slowFactorial } from '../harness/reference';

describe('math subgraph', () => {
  let stack: Stack;
  beforeAll(async () => {
    // A row of Pascal's triangle in one operation: up to 301 fields and factorials, above the default limits.
    stack = await startStack({
      math: { maxResultDigits: 400_000, maxOperationFactorials: 1000 },
      mathServer: { limits: { ...DEFAULT_LIMITS, maxAliases: 301, maxRootFields: 301, maxListLength: 1000 } },
    });
  });
  afterAll(() => stack.stop());

  const query = <T = Record<string, string>>(q: string, variables?: Record<string, unknown>, headers?: Record<string, string>) =>
    graphql<T>(stack.mathUrl, q, variables, headers);

  describe('exact values', () => {
    it("gives ncr for every 0 <= r <= n <= 300, as Pascal's triangle does", async () => {
      const triangle = pascalTriangle(300);
      for (let n = 0; n <= 300; n++) {
        const fields = triangle[n]!.map((_, r) => `r${r}: ncr(n: ${n}, r: ${r})`).join(' ');
        const { data, errors } = await query(`{ ${fields} }`);
        expect(errors).toBeUndefined();
        expect(triangle[n]!.map((_, r) => data![`r${r}`])).toEqual(triangle[n]!.map(String));
      }
    }, 90_000);

    it('gives ncr(10^6, 5*10^5) with the residues, length and leading digits of an independent computation', async () => {
      const { data } = await query('{ c: ncr(n: 1000000, r: 500000) }');
      expectCentralBinomial(data!.c!);
    });

    it("gives ncr(n, r) = ncr(n, n - r) and Pascal's rule for any n up to 5000", async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 5000 }), fc.nat(), async (n, seed) => {
          const r = 1 + (seed % (n - 1));
          const { data } = await query(
            `{ a: ncr(n: ${n}, r: ${r}) b: ncr(n: ${n}, r: ${n - r}) c: ncr(n: ${n - 1}, r: ${r - 1}) d: ncr(n: ${n - 1}, r: ${r}) }`,
          );
          expect(data!.a).toBe(data!.b);
          expect(BigInt(data!.a!)).toBe(BigInt(data!.c!) + BigInt(data!.d!));
          expect(BigInt(data!.a!)).toBe(binomial(n, r));
        }),
        { numRuns: 40 },
      );
    });

    it('gives factorial, npr, multinomial and catalan as their definitions do', async () => {
      const { data, errors } = await query(`{
        f0: factorial(n: 0) f1: factorial(n: 1) f20: factorial(n: 20) f3000: factorial(n: 3000)
        p: npr(n: 2000, r: 700) p0: npr(n: 9, r: 0)
        m: multinomial(ks: [3, 1500, 7, 0]) m1: multinomial(ks: [])
        c0: catalan(n: 0) c10: catalan(n: 10) c5000: catalan(n: 5000)
      }`);
      expect(errors).toBeUndefined();
      expect(data).toEqual({
        f0: '1',
        f1: '1',
        f20: '2432902008176640000',
        f3000: slowFactorial(3000).toString(),
        p: fallingFactorial(2000, 700).toString(),
        p0: '1',
        m: (slowFactorial(1510) / (slowFactorial(3) * slowFactorial(1500) * slowFactorial(7))).toString(),
        m1: '1',
        c0: '1',
        c10: '16796',
        c5000: (binomial(10_000, 5000) / 5001n).toString(),
      });
    });

    it('gives big factorials whose decimal form is built on a worker thread', async () => {
      const { data } = await query('{ f: factorial(n: 50000) }');
      expect(data!.f).toBe(slowFactorial(50_000).toString());
    });

    it('resolves Factorial entities by n', async () => {
      const { data } = await query(`{ factorials(ns: [5, 0, 25]) { n value } }`);
      expect(data).toEqual({
        factorials: [
          { n: 5, value: '120' },
          { n: 0, value: '1' },
          { n: 25, value: slowFactorial(25).toString() },
        ],
      });
    });
  });

  describe('batching', () => {
    it('makes one BatchGetFactorials call for 10 aliased ncr fields and factorial fields, each distinct factorial once', async () => {
      const calls = await batchCalls(stack);
      const keys = await keysReceived(stack);
      // ncr(20+i, 5+i) needs (20+i)!, (5+i)! and 15!; factorial(5) is among them; factorial(40) is not.
      const fields = Array.from({ length: 10 }, (_, i) => `c${i}: ncr(n: ${20 + i}, r: ${5 + i})`).join(' ');
      const { data, errors } = await query(`{ ${fields} f5: factorial(n: 5) f40: factorial(n: 40) }`);
      expect(errors).toBeUndefined();
      for (let i = 0; i < 10; i++) expect(data![`c${i}`]).toBe(binomial(20 + i, 5 + i).toString());
      expect(await batchCalls(stack)).toBe(calls + 1);
      expect(await keysReceived(stack)).toBe(keys + 10 + 10 + 1 + 1);
    });

    it('makes one BatchGetFactorials call for an _entities query with 20 representations', async () => {
      const calls = await batchCalls(stack);
      const keys = await keysReceived(stack);
      const representations = Array.from({ length: 20 }, (_, i) => ({ __typename: 'Factorial', n: 100 + i }));
      const { data, errors } = await query<{ _entities: { n: number; value: string }[] }>(
        'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Factorial { n value } } }',
        { r: representations },
      );
      expect(errors).toBeUndefined();
      expect(data!._entities.map((e) => e.value)).toEqual(representations.map((r) => slowFactorial(r.n).toString()));
      expect(await batchCalls(stack)).toBe(calls + 1);
      expect(await keysReceived(stack)).toBe(keys + 20);
    });

    it("keeps big factorials' prime exponents: the same big factorials again make no call, and the same exact answer", async () => {
      const calls = await batchCalls(stack);
      const first = await query('{ a: ncr(n: 400000, r: 123456) }');
      expect(await batchCalls(stack)).toBe(calls + 1);
      // The same three factorials, in another field of another operation.
      const second = await query('{ b: ncr(n: 400000, r: 276544) }');
      expect(await batchCalls(stack)).toBe(calls + 1);
      expect(second.data!.b).toBe(first.data!.a);
      const c = BigInt(first.data!.a!);
      for (const p of [1_000_003n, 1_000_033n]) expect(c % p).toBe(binomialModPrime(400_000, 123_456, p));
      // A kept factorial beside one that is not: one call, for the other alone.
      const keys = await keysReceived(stack);
      const third = await query('{ c: ncr(n: 400000, r: 3) }');
      expect(third.data!.c).toBe(binomial(400_000, 3).toString());
      expect(await batchCalls(stack)).toBe(calls + 2);
      expect(await keysReceived(stack)).toBe(keys + 2);
    });

    it('makes no call for results that need no factorial', async () => {
      const calls = await batchCalls(stack);
      const { data } = await query('{ a: ncr(n: 9, r: 0) b: ncr(n: 9, r: 9) c: npr(n: 4, r: 0) }');
      expect(data).toEqual({ a: '1', b: '1', c: '1' });
      expect(await batchCalls(stack)).toBe(calls);
    });
  });

  describe('errors', () => {
    const codeOf = async (q: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => {
      const { errors } = await query(q, variables, headers);
      return { code: errors?.[0]?.extensions?.code, message: errors?.[0]?.message, stacktrace: errors?.[0]?.extensions?.stacktrace };
    };

    it.each([
      ['{ ncr(n: 3, r: 10) }', 'r must be at most n (got n = 3, r = 10)'],
      ['{ ncr(n: -1, r: 0) }', 'n must be a non-negative integer (got n = -1)'],
      ['{ ncr(n: 5, r: -2) }', 'r must be a non-negative integer (got r = -2)'],
      ['{ ncr(n: 1000001, r: 2) }', 'n must be at most 1000000 (MAX_N) (got n = 1000001)'],
      [
        '{ factorial(n: 1000000) }',
        'the result would have about 5565710 digits, above the limit of 400000 (MAX_RESULT_DIGITS) (got n = 1000000)',
      ],
      ['{ multinomial(ks: [600000, 600000]) }', 'the sum of ks must be at most 1000000 (MAX_N) (got 1200000)'],
      ['{ catalan(n: 500001) }', '2n must be at most 1000000 (MAX_N) (got n = 500001)'],
    ])('answers %s with BAD_USER_INPUT: %s, and no gRPC call', async (q, message) => {
      const calls = await batchCalls(stack);
      expect(await codeOf(q)).toEqual({ code: 'BAD_USER_INPUT', message, stacktrace: undefined });
      expect(await batchCalls(stack)).toBe(calls);
    });

    it('answers an entity representation whose n is not a non-negative integer with BAD_USER_INPUT, showing what it got', async () => {
      const entities = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Factorial { value } } }';
      for (const [n, shown] of [
        ['5', '"5"'],
        [-1, '-1'],
        [2.5, '2.5'],
        [null, 'null'],
        [{ a: 1 }, '{"a":1}'],
      ] as const) {
        expect(await codeOf(entities, { r: [{ __typename: 'Factorial', n }] })).toEqual({
          code: 'BAD_USER_INPUT',
          message: `n must be a non-negative integer (got n = ${shown})`,
          stacktrace: undefined,
        });
      }
    });

    it('answers a non-integer variable with BAD_USER_INPUT', async () => {
      expect((await codeOf('query ($n: Int!) { ncr(n: $n, r: 1) }', { n: 10.5 })).code).toBe('BAD_USER_INPUT');
    });

    it('answers DEADLINE_EXCEEDED when the time budget runs out', async () => {
      const result = await codeOf('{ ncr(n: 999999, r: 400000) }', undefined, { 'x-request-timeout-ms': '5' });
      expect(result).toMatchObject({ code: 'DEADLINE_EXCEEDED', message: "the request's time budget ran out" });
    });

    it('answers FACTORIAL_UNAVAILABLE while the service is down, and succeeds within 5 s of its restart without a subgraph restart', async () => {
      await stack.stopFactorial();
      expect(await codeOf('{ ncr(n: 40, r: 20) }')).toMatchObject({ code: 'FACTORIAL_UNAVAILABLE' });
      await stack.startFactorial();
      const restarted = Date.now();
      let data: Record<string, string> | null | undefined;
      while (Date.now() - restarted < 5000) {
        ({ data } = await query('{ ncr(n: 40, r: 20) }'));
        if (data) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(data).toEqual({ ncr: binomial(40, 20).toString() });
    });
  });

  describe('concurrency', () => {
    it('finishes small queries sent while a 10^6-scale ncr is in flight before it', async () => {
      const order: string[] = [];
      // Two results of about 300,000 digits, one after the other on the worker thread: small queries on a loaded
      // machine get tens of milliseconds of margin, not a few.
      const big = query('{ a: ncr(n: 999998, r: 499999) b: ncr(n: 999996, r: 333333) }').then(() => order.push('big'));
      await new Promise((r) => setTimeout(r, 20));
      const small = Array.from({ length: 5 }, (_, i) => query(`{ ncr(n: ${50 + i}, r: 3) }`).then(() => order.push(`small${i}`)));
      await Promise.all([big, ...small]);
      expect(order.indexOf('big')).toBe(5);
    });
  });
});

/** C(10^6, 5*10^5) checked against an independent computation: residues, length and leading digits. */
function expectCentralBinomial(decimal: string): void {
  const c = BigInt(decimal);
  for (const p of [1_000_003n, 1_000_033n]) expect(c % p).toBe(binomialModPrime(1_000_000, 500_000, p));
  const log10 = (lnFactorial(1_000_000) - 2 * lnFactorial(500_000)) / Math.LN10;
  expect(decimal.length).toBe(Math.floor(log10) + 1);
  expect(decimal.slice(0, 5)).toBe(String(Math.floor(10 ** (log10 - Math.floor(log10) + 4))));
}

// The worker threads' big products and decimal conversions use the GMP addon when it is built; this is the
// other path, the one every machine without the addon runs.
describe('math subgraph with BigInt only (MATH_NATIVE=off)', () => {
  let stack: Stack;
  beforeAll(async () => {
    // inlineDigits 0: every result from prime exponents is built on a worker thread.
    stack = await startStack({ math: { nativeArithmetic: false, inlineDigits: 0 } });
  });
  afterAll(() => stack.stop());

  it('gives ncr(10^6, 5*10^5), big ncr from a worker and big factorials as the references do', async () => {
    const { data } = await graphql(stack.mathUrl, '{ c: ncr(n: 1000000, r: 500000) d: ncr(n: 4000, r: 1700) f: factorial(n: 20000) }');
    expectCentralBinomial(data!.c!);
    expect(data!.d).toBe(binomial(4000, 1700).toString());
    expect(data!.f).toBe(slowFactorial(20_000).toString());
  });
});

describe('math subgraph under saturation', () => {
  it("answers RESOURCE_EXHAUSTED when the factorial service's queue is full", async () => {
    const stack = await startStack({ factorial: { workers: 1, maxQueue: 0, inlineValueMaxN: 10, cacheBytes: 0 } });
    try {
      const results = await Promise.all([
        graphql(stack.mathUrl, '{ factorial(n: 150000) }'),
        new Promise((r) => setTimeout(r, 30)).then(() => graphql(stack.mathUrl, '{ factorial(n: 140000) }')),
      ]);
      expect(results[0].data?.factorial).toMatch(/^\d{600000,}$/);
      expect(results[1].errors?.[0]?.extensions?.code).toBe('RESOURCE_EXHAUSTED');
    } finally {
      await stack.stop();
    }
  });
});
