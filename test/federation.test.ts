// Federation for real, on the four processes over real sockets: query plans that cross the math and primes subgraphs,
// one _entities request and one BatchGetFactorials call per subgraph fetch, entities that fail one by one, a primes
// subgraph that goes away and comes back. Exactness against independent arithmetic.

import { startProcesses, type Processes } from '../harness/processes';
import { binomial, slowFactorial } from '../harness/reference';
import { factorial as engineFactorial, nativeBignum } from '../lib/math';
import { scrape } from '../harness/metrics';

interface Answer<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

async function post<T>(url: string, query: string, variables?: unknown): Promise<Answer<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Answer<T>;
}

/** The prime factorization of a positive integer whose primes are all at most `limit`, by trial division. */
function trialDivision(value: bigint, limit: number): { prime: number; exponent: number }[] {
  const powers: { prime: number; exponent: number }[] = [];
  let rest = value;
  for (let p = 2; p <= limit; p++) {
    let exponent = 0;
    while (rest % BigInt(p) === 0n) {
      rest /= BigInt(p);
      exponent++;
    }
    if (exponent > 0) powers.push({ prime: p, exponent });
  }
  expect(rest).toBe(1n);
  return powers;
}

let stack: Processes;
beforeAll(async () => {
  stack = await startProcesses();
}, 60_000);
afterAll(() => stack.stopAll());

/** What the primes and math subgraphs did: operations executed, BatchGetFactorials calls made and keys sent. */
async function activity() {
  const of = async (metricsUrl: string, name: string) => ({
    operations: await scrape(metricsUrl, `${name}_operations_total`),
    calls: await scrape(metricsUrl, 'grpc_client_handled_total', 'grpc_method="BatchGetFactorials"'),
    keys: await scrape(metricsUrl, 'factorial_batch_size_sum'),
  });
  return { math: await of(stack.mathMetricsUrl, 'math'), primes: await of(stack.primesMetricsUrl, 'primes') };
}

function delta(before: Awaited<ReturnType<typeof activity>>, after: Awaited<ReturnType<typeof activity>>) {
  const minus = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k]! - b[k]!]));
  return { math: minus(after.math, before.math), primes: minus(after.primes, before.primes) };
}

describe('a query whose plan crosses both subgraphs', () => {
  it('answers binomial(100, 50) exactly, with one _entities request to primes and one BatchGetFactorials call from each subgraph', async () => {
    const before = await activity();
    const answer = await post<{
      binomial: { value: string; digitCount: number; primeFactorization: { prime: number; exponent: number }[] };
    }>(`${stack.gatewayUrl}/graphql`, '{ binomial(n: 100, r: 50) { value digitCount primeFactorization { prime exponent } } }');
    expect(answer.errors).toBeUndefined();
    const exact = binomial(100, 50);
    expect(answer.data!.binomial).toEqual({
      value: exact.toString(),
      digitCount: exact.toString().length,
      primeFactorization: trialDivision(exact, 100),
    });
    expect(delta(before, await activity())).toEqual({
      math: { operations: 1, calls: 1, keys: 2 }, // the values of 100! and 50! (r = n - r: one key)
      primes: { operations: 1, calls: 1, keys: 2 }, // the exponents of 100! and 50!
    });
  });

  it('answers 20 factorials with their value, digits and trailing zeros: one _entities request of 20, one call in each subgraph', async () => {
    const ns = Array.from({ length: 20 }, (_, i) => 40 + 17 * i);
    const before = await activity();
    const answer = await post<{ factorials: { n: number; value: string; digitCount: number; trailingZeros: number }[] }>(
      `${stack.gatewayUrl}/graphql`,
      'query ($ns: [Int!]!) { factorials(ns: $ns) { n value digitCount trailingZeros } }',
      { ns },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.factorials).toEqual(
      ns.map((n) => {
        const value = slowFactorial(n).toString();
        return { n, value, digitCount: value.length, trailingZeros: value.length - value.replace(/0+$/, '').length };
      }),
    );
    expect(delta(before, await activity())).toEqual({
      math: { operations: 1, calls: 1, keys: 20 },
      primes: { operations: 1, calls: 1, keys: 20 },
    });
  });
});

describe('entities fail one by one', () => {
  it.each([
    ['primes', () => stack.primesUrl, '... on Factorial { n digitCount } ... on Binomial { n r digitCount }'],
    ['math', () => stack.mathUrl, '... on Factorial { n value } ... on Binomial { n r value }'],
  ])('in the %s subgraph: a mixed batch is null only at the bad indexes, each with BAD_USER_INPUT', async (_name, url, selection) => {
    const representations = [
      { __typename: 'Factorial', n: 5 },
      { __typename: 'Factorial', n: -1 },
      { __typename: 'Binomial', n: 10, r: 3 },
      { __typename: 'Binomial', n: 3, r: 10 },
      { __typename: 'Factorial', n: '7' },
      { __typename: 'Nothing', n: 5 },
      { __typename: 'Factorial', n: 7 },
    ];
    const answer = await post<{ _entities: (Record<string, unknown> | null)[] }>(
      url(),
      `query ($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`,
      { r: representations },
    );
    const bad = [1, 3, 4, 5];
    answer.data!._entities.forEach((entity, i) => (bad.includes(i) ? expect(entity).toBeNull() : expect(entity).not.toBeNull()));
    expect(answer.data!._entities[6]).toMatchObject({ n: 7 });
    const errors = answer.errors!.map((e) => [e.path, e.extensions?.code]).sort((a, b) => Number(a[0]![1]) - Number(b[0]![1]));
    expect(errors).toEqual(bad.map((i) => [['_entities', i], 'BAD_USER_INPUT']));
  });
});

describe('exact digit counts where the logarithm cannot decide', () => {
  it('counts the digits of powers of ten, and of the factorials nearest a power of ten below 10^6, exactly', async () => {
    const answer = await post<Record<string, { digitCount: number }>>(
      `${stack.gatewayUrl}/graphql`,
      '{ a: binomial(n: 1000, r: 1) { digitCount } b: binomial(n: 1000000, r: 999999) { digitCount } c: binomial(n: 100, r: 99) { digitCount } }',
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ a: { digitCount: 4 }, b: { digitCount: 7 }, c: { digitCount: 3 } });
    // log10(549545!) is 1.7e-6 above an integer, log10(833851!) 2.0e-6 below one: within the bound, so exactly.
    const near = await post<{ factorials: { n: number; digitCount: number }[] }>(
      `${stack.gatewayUrl}/graphql`,
      '{ factorials(ns: [549545, 833851]) { n digitCount } }',
    );
    expect(near.errors).toBeUndefined();
    const gmp = nativeBignum();
    for (const { n, digitCount } of near.data!.factorials) {
      // The exact length, independently: GMP's own factorial when the addon is built, else the BigInt engine's.
      const decimal = gmp ? gmp.bytesDecimal(gmp.factorialBytes(n)) : engineFactorial(n).toString();
      expect([n, digitCount]).toEqual([n, decimal.length]);
    }
  }, 120_000);
});

describe('the primes subgraph goes away', () => {
  it("nulls only the fields it owns, with SUBGRAPH_UNAVAILABLE, while math's answer; and it is back without a gateway restart", async () => {
    stack.get('primes').child.kill('SIGKILL');
    await stack.get('primes').exited;
    const query = '{ f: factorial(n: 10) binomial(n: 10, r: 3) { value digitCount primeFactorization { prime } } primes(to: 20) }';
    const down = await post<{ f: string; binomial: { value: string; digitCount: number | null }; primes: number[] | null }>(
      `${stack.gatewayUrl}/graphql`,
      query,
    );
    expect(down.data).toEqual({ f: '3628800', binomial: { value: '120', digitCount: null, primeFactorization: null }, primes: null });
    expect(new Set(down.errors!.map((e) => e.extensions?.code))).toEqual(new Set(['SUBGRAPH_UNAVAILABLE']));
    await stack.start('primes');
    const back = await post<Record<string, unknown>>(`${stack.gatewayUrl}/graphql`, query);
    expect(back.errors).toBeUndefined();
    expect(back.data).toEqual({
      f: '3628800',
      binomial: { value: '120', digitCount: 3, primeFactorization: [{ prime: 2 }, { prime: 3 }, { prime: 5 }] },
      primes: [2, 3, 5, 7, 11, 13, 17, 19],
    });
  }, 60_000);
});
