// Two gateway processes on one real redis-server (Debian's package), over the same subgraphs: an answer computed through
// one is a hit on the other, an automatic persisted query registered through one is known to the other, an entity
// fetched once is not fetched again, and one client has one quota across both.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { scrape } from '../harness/metrics';
import { startProcesses, type Processes } from '../harness/processes';
import { redisInstalled, REDIS_SERVER, startRedis, type RedisServer } from '../harness/redis';
import { binomial } from '../harness/reference';
import { apiKeyDigest } from '../gateway/src/clients';

const available = redisInstalled();
if (!available) process.stderr.write(`fleet.test.ts: skipped, no ${REDIS_SERVER} (apt-get install redis-server)\n`);
const describeWithRedis = available || process.env.CI ? describe : describe.skip;

/** A client of the clients file with a small quota: 40 units a second, 80 at once. */
const TESTER_KEY = 'test-key-0123456789abcdef';

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
}
async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

describeWithRedis('a fleet of two gateways on one Redis', () => {
  let redis: RedisServer;
  let stack: Processes;
  let b: { url: string; metricsUrl: string };
  beforeAll(async () => {
    redis = await startRedis();
    const dir = mkdtempSync(join(tmpdir(), 'fleet-'));
    const clientsFile = join(dir, 'clients.json');
    writeFileSync(
      clientsFile,
      JSON.stringify({ clients: [{ name: 'tester', apiKeySha256: apiKeyDigest(TESTER_KEY), workPerSecond: 40, burst: 80 }] }),
    );
    // Refusals sent at once (RATE_LIMIT_HOLD_MS=0): this test counts them; test/quotas.test.ts holds them.
    const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'fleet-test:', CLIENTS_FILE: clientsFile, RATE_LIMIT_HOLD_MS: '0' };
    stack = await startProcesses(env);
    b = await stack.startReplica(env);
    // Redis is not a condition of readiness (an accelerator never is): wait until both have connected.
    await until(async () => (await scrape(stack.gatewayMetricsUrl, 'redis_up')) === 1 && (await scrape(b.metricsUrl, 'redis_up')) === 1);
  }, 90_000);
  afterAll(async () => {
    await stack?.stopAll();
    await redis?.stop();
  });

  const mathOperations = () => scrape(stack.mathMetricsUrl, 'math_operations_total');

  it('serves an answer computed through one replica as a hit from Redis on the other, without calling a subgraph', async () => {
    const query = '{ ncr(n: 2000, r: 1000) }';
    const first = await post(stack.gatewayUrl, { query });
    expect(first.headers.get('x-cache')).toBe('miss');
    const before = await mathOperations();
    const second = await post(b.url, { query });
    expect(second.body).toEqual({ data: { ncr: binomial(2000, 1000).toString() } });
    expect(second.headers.get('x-cache')).toBe('hit');
    expect(second.headers.get('x-cache-tier')).toBe('redis');
    expect(await mathOperations()).toBe(before);
    // Then from B's own memory.
    expect((await post(b.url, { query })).headers.get('x-cache-tier')).toBe('memory');
    expect(await scrape(b.metricsUrl, 'cache_lookups_total', 'cache="graphql",result="hit",tier="redis"')).toBeGreaterThanOrEqual(1);
  });

  it('shares REST answers too', async () => {
    const first = await fetch(`${stack.gatewayUrl}/api/ncr/1500/700`);
    expect(first.headers.get('x-cache')).toBe('miss');
    const before = await mathOperations();
    const second = await fetch(`${b.url}/api/ncr/1500/700`);
    expect(await second.text()).toBe(`{"input":[1500,700],"ncr":${binomial(1500, 700)},"msg":"Success"}`);
    expect(second.headers.get('x-cache-tier')).toBe('redis');
    expect(await mathOperations()).toBe(before);
  });

  it('knows an automatic persisted query registered through one replica on the other, by its hash alone', async () => {
    const query = '{ catalan(n: 321) }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    // Unknown everywhere at first.
    expect((await post(b.url, { extensions })).body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(stack.gatewayUrl, { query, extensions })).body.data).toBeTruthy();
    const byHash = await post(b.url, { extensions });
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data).toEqual({ catalan: (binomial(642, 321) / 322n).toString() });
  });

  it('sends a subgraph only the entities it was not sent before, through either replica', async () => {
    const sent = async () =>
      (await scrape(stack.gatewayMetricsUrl, 'entity_representations_sent_total', 'subgraph="primes"')) +
      (await scrape(b.metricsUrl, 'entity_representations_sent_total', 'subgraph="primes"'));
    const before = await sent();
    const first = await post(stack.gatewayUrl, { query: '{ factorials(ns: [701, 702, 703]) { n digitCount } }' });
    expect(first.body.errors).toBeUndefined();
    expect((await sent()) - before).toBe(3);
    // Another operation (another answer), overlapping on two entities, through the other replica: one new entity sent.
    const second = await post(b.url, { query: '{ factorials(ns: [702, 703, 704]) { n digitCount } }' });
    expect(second.body.data).toEqual({
      factorials: [702, 703, 704].map((n) => ({ n, digitCount: slowFactorialDigits(n) })),
    });
    expect((await sent()) - before).toBe(4);
  });

  it('looks nothing up for fetches whose answers hold lists (factorizations, never kept), and sends all of them', async () => {
    const lookups = () => scrape(stack.gatewayMetricsUrl, 'entity_cache_lookups_total', 'subgraph="primes"');
    const sent = () => scrape(stack.gatewayMetricsUrl, 'entity_representations_sent_total', 'subgraph="primes"');
    const [lookedUp, sentBefore] = [await lookups(), await sent()];
    const first = await post(stack.gatewayUrl, { query: '{ factorials(ns: [801]) { primeFactorization { prime } } }' });
    expect(first.body.errors).toBeUndefined();
    expect([(await lookups()) - lookedUp, (await sent()) - sentBefore]).toEqual([1, 1]);
    // Another answer over the same selection: no lookup at all (not even of 801), both entities sent.
    const second = await post(stack.gatewayUrl, { query: '{ factorials(ns: [801, 802]) { primeFactorization { prime } } }' });
    expect(second.body.errors).toBeUndefined();
    expect([(await lookups()) - lookedUp, (await sent()) - sentBefore]).toEqual([1, 3]);
  });

  it('holds one client to one quota across both replicas: 429 RATE_LIMITED with Retry-After and RateLimit headers', async () => {
    const headers = { 'x-api-key': TESTER_KEY };
    const answers: { replica: 0 | 1; status: number }[] = [];
    let refusal: Answer | undefined;
    const started = Date.now();
    // Distinct small operations (1 unit and a few digits each), 16 at a time, half to each replica, until each
    // replica has refused one: at most 30 waves and 40 s. Sent one by one they would not outrun the rate on a busy
    // machine (40 units a second is one every 25 ms).
    const refused = (replica: 0 | 1) => answers.some((a) => a.replica === replica && a.status === 429);
    for (let wave = 0; wave < 30 && !(refused(0) && refused(1)) && Date.now() - started < 40_000; wave++) {
      await Promise.all(
        Array.from({ length: 16 }, async (_, k) => {
          const replica = (k % 2) as 0 | 1;
          const answer = await post(replica ? b.url : stack.gatewayUrl, { query: `{ ncr(n: ${3000 + 16 * wave + k}, r: 2) }` }, headers);
          answers.push({ replica, status: answer.status });
          if (answer.status === 429) refusal ??= answer;
        }),
      );
    }
    const seconds = (Date.now() - started) / 1000;
    const allowed = answers.filter((a) => a.status === 200).length;
    // One quota: at most what its two fixed windows can admit over the run (the rate's 1 s windows and the burst's
    // 2 s ones, counting a partial window at each end); each replica alone would have allowed twice it.
    expect(allowed).toBeLessThanOrEqual(40 * (Math.ceil(seconds) + 1) + 80 * (Math.ceil(seconds / 2) + 1));
    expect([refused(0), refused(1)]).toEqual([true, true]);
    expect(refusal!.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(Number(refusal!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refusal!.headers.get('ratelimit-policy')).toBe('"work";q=80;w=2');
    expect(refusal!.headers.get('ratelimit')).toMatch(/^"work";r=0;t=\d+$/);
    // Others are not held to it.
    expect((await post(b.url, { query: '{ ncr(n: 10, r: 3) }' })).status).toBe(200);
  }, 60_000);

  it('refuses an API key no client has, with 401 UNAUTHENTICATED', async () => {
    const answer = await post(stack.gatewayUrl, { query: '{ ncr(n: 10, r: 3) }' }, { 'x-api-key': 'not-a-key' });
    expect(answer.status).toBe(401);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

/** Polls `condition` every 50 ms for at most `ms`. */
async function until(condition: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The number of decimal digits of n!, from an exact product. */
function slowFactorialDigits(n: number): number {
  let f = 1n;
  for (let k = 2n; k <= BigInt(n); k++) f *= k;
  return f.toString().length;
}
