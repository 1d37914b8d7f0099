// What an operation costs, and a quota in memory: admitted up to its burst, refused beyond with a wait, refilled.

import { parse, type OperationDefinitionNode } from 'graphql';
import type { ClientIdentity } from '../clients';
import { Quotas, rateLimitHeaders } from './quotas';
import { operationWork } from './work';

const work = (query: string, variables?: Record<string, unknown>): number => {
  const document = parse(query);
  return operationWork(document, document.definitions[0] as OperationDefinitionNode, variables, 1_000_000);
};

describe('the work of an operation', () => {
  it('is 1 unit plus 1 per 1,000 estimated result digits', () => {
    expect(work('{ ncr(n: 10, r: 3) }')).toBe(2);
    // C(10^6, 5·10^5) has 301,027 digits: about 302 units.
    expect(work('query($n: Int!) { ncr(n: $n, r: 500000) }', { n: 1_000_000 })).toBeGreaterThanOrEqual(302);
    expect(work('query($n: Int!) { ncr(n: $n, r: 500000) }', { n: 1_000_000 })).toBeLessThanOrEqual(303);
    // Nine such results: nine times the digits.
    const nine = Array.from({ length: 9 }, (_, i) => `a${i}: ncr(n: 1000000, r: ${500000 + i})`).join(' ');
    expect(work(`{ ${nine} }`)).toBeGreaterThan(2700);
  });

  it('counts a value only when it is asked for, through fragments too', () => {
    expect(work('{ binomial(n: 100000, r: 50000) { n r } }')).toBe(1);
    expect(work('{ binomial(n: 100000, r: 50000) { ...V } } fragment V on Binomial { value }')).toBeGreaterThan(30);
  });

  it('costs nothing beyond its unit for arguments the subgraph refuses (r > n, n far above MAX_N)', () => {
    expect(work('{ ncr(n: 3, r: 10) }')).toBe(1);
    expect(work('{ factorial(n: 2000000000) }')).toBe(1);
  });
});

describe('a quota in memory', () => {
  const client: ClientIdentity = { label: 'anonymous', quotaKey: 'address:127.0.0.1', known: undefined, claimed: {} };

  it('admits up to its burst, then refuses with a wait, and says so in the RateLimit headers', async () => {
    const quotas = new Quotas({ defaults: { workPerSecond: 10, burst: 30 } });
    let admitted = 0;
    for (let i = 0; i < 10; i++) if ((await quotas.take(client, 5))!.allowed) admitted += 5;
    expect(admitted).toBeGreaterThanOrEqual(30);
    expect(admitted).toBeLessThanOrEqual(40);
    const refused = (await quotas.take(client, 5))!;
    expect(refused.allowed).toBe(false);
    expect(rateLimitHeaders(refused)).toEqual({
      'ratelimit-policy': '"work";q=30;w=3',
      ratelimit: `"work";r=0;t=${refused.retryAfterSeconds}`,
      'retry-after': String(refused.retryAfterSeconds),
    });
  });

  it('keeps clients apart, and has no quota when none is configured', async () => {
    const quotas = new Quotas({ defaults: { workPerSecond: 1, burst: 1 } });
    expect((await quotas.take(client, 1))!.allowed).toBe(true);
    expect((await quotas.take({ ...client, quotaKey: 'address:10.0.0.2' }, 1))!.allowed).toBe(true);
    expect(await new Quotas({ defaults: undefined }).take(client, 1000)).toBeUndefined();
  });

  it('says when an operation can never fit: more units than the burst', async () => {
    const decision = (await new Quotas({ defaults: { workPerSecond: 10, burst: 30 } }).take(client, 31))!;
    expect(decision).toMatchObject({ allowed: false, overBurst: true });
  });
});
