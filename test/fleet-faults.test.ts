// Redis is an accelerator that can never fail a request. Two gateway processes on a real redis-server that is hung
// (SIGSTOP), killed, flushed, full at maxmemory, holding entries that are not what was written, or refusing the
// password: every answer is still exact, none waits on Redis beyond REDIS_TIMEOUT_MS, every failure is counted, and
// sharing resumes by itself when Redis is back.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiKeyDigest } from '../gateway/src/clients';
import { scrape } from '../harness/metrics';
import { startProcesses, type Processes } from '../harness/processes';
import { redisInstalled, startRedis, type RedisServer } from '../harness/redis';
import { binomial } from '../harness/reference';

const describeWithRedis = redisInstalled() || process.env.CI ? describe : describe.skip;
const KEY = 'faults-key-0123456789';
const PREFIX = 'faults:';

async function until(condition: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeWithRedis('Redis failing under two gateways', () => {
  let redis: RedisServer;
  let stack: Processes;
  let b: { url: string; metricsUrl: string };
  let next = 5000;
  beforeAll(async () => {
    redis = await startRedis();
    const dir = mkdtempSync(join(tmpdir(), 'faults-'));
    const clients = join(dir, 'clients.json');
    writeFileSync(
      clients,
      JSON.stringify({ clients: [{ name: 'tester', apiKeySha256: apiKeyDigest(KEY), workPerSecond: 1000, burst: 5000 }] }),
    );
    const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: PREFIX, REDIS_TIMEOUT_MS: '50', CLIENTS_FILE: clients };
    stack = await startProcesses(env);
    b = await stack.startReplica(env);
    await sharing();
  }, 90_000);
  afterAll(async () => {
    await stack?.stopAll();
    await redis?.stop();
  });

  /** POSTs ncr(n, 2) to `url` with the tester's key: its status, its time, and whether its value is exact. */
  async function ask(url: string, n = next++): Promise<{ status: number; ms: number; exact: boolean; tier: string | null; code?: string }> {
    const started = performance.now();
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ query: `{ ncr(n: ${n}, r: 2) }` }),
    });
    const body = (await response.json()) as { data?: { ncr: string }; errors?: { extensions: { code: string } }[] };
    return {
      status: response.status,
      ms: performance.now() - started,
      exact: body.data?.ncr === binomial(n, 2).toString(),
      tier: response.headers.get('x-cache-tier'),
      code: body.errors?.[0]?.extensions.code,
    };
  }

  /** 16 distinct operations through both replicas: each exact, and none held long by Redis. */
  async function everyAnswerExact(): Promise<number> {
    let slowest = 0;
    for (let i = 0; i < 16; i++) {
      const answer = await ask(i % 2 ? b.url : stack.gatewayUrl);
      expect(answer).toMatchObject({ status: 200, exact: true });
      slowest = Math.max(slowest, answer.ms);
    }
    return slowest;
  }

  /** Resolves once an answer computed through the first replica is served from Redis by the second. */
  async function sharing(): Promise<void> {
    await until(async () => {
      const n = next++;
      await ask(stack.gatewayUrl, n);
      await new Promise((r) => setTimeout(r, 20));
      return (await ask(b.url, n)).tier === 'redis';
    });
  }

  const errors = async (reason: string) =>
    (await scrape(stack.gatewayMetricsUrl, 'cache_errors_total', `reason="${reason}"`)) +
    (await scrape(b.metricsUrl, 'cache_errors_total', `reason="${reason}"`));

  it('hung (SIGSTOP): every answer exact and none waits on Redis past its timeout; counted; shared again after SIGCONT', async () => {
    const before = await errors('timeout');
    redis.pause();
    try {
      // A request makes a few Redis calls (the quota, the answer, its text); each waits 50 ms at most, then the breaker opens.
      expect(await everyAnswerExact()).toBeLessThan(1_500);
      expect(await errors('timeout')).toBeGreaterThan(before);
      expect(await scrape(stack.gatewayMetricsUrl, 'quota_decisions_total', 'decision="failed_open"')).toBeGreaterThan(0);
    } finally {
      redis.resume();
    }
    await sharing();
  }, 60_000);

  it('killed: every answer exact, the failures counted, and sharing back by itself once Redis is', async () => {
    const before = await errors('unavailable');
    await redis.kill();
    await everyAnswerExact();
    expect(await errors('unavailable')).toBeGreaterThan(before);
    expect(await scrape(b.metricsUrl, 'redis_up')).toBe(0);
    await redis.start();
    await sharing();
  }, 60_000);

  it('flushed: the other replica computes what Redis forgot, exactly', async () => {
    const n = next++;
    await ask(stack.gatewayUrl, n);
    redis.cli('FLUSHALL');
    expect(await ask(b.url, n)).toMatchObject({ status: 200, exact: true, tier: null });
  });

  it('full at maxmemory: evicting (allkeys-lru) or refusing writes (noeviction), every answer exact; refused writes counted', async () => {
    // Room for a few answers of 30,000 digits beyond what Redis holds now.
    const used = Number(/used_memory:(\d+)/.exec(redis.cli('INFO', 'memory'))![1]);
    redis.cli('CONFIG', 'SET', 'maxmemory', String(used + 150_000));
    redis.cli('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    const big = async (url: string, r: number) => {
      const response = await fetch(`${url}/api/ncr/100000/${r}?ncr=string`);
      const body = (await response.json()) as { ncr: string };
      return response.status === 200 && body.ncr === binomial(100_000, r).toString();
    };
    for (let r = 40_000; r < 40_008; r++) expect(await big(r % 2 ? b.url : stack.gatewayUrl, r)).toBe(true);
    redis.cli('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    const before = await errors('error');
    for (let r = 41_000; r < 41_008; r++) expect(await big(r % 2 ? b.url : stack.gatewayUrl, r)).toBe(true);
    await until(async () => (await errors('error')) > before);
    redis.cli('CONFIG', 'SET', 'maxmemory', '0');
  }, 60_000);

  it('holding entries that are not what was written (garbage, truncated, another version): ignored and counted, never served', async () => {
    const rejected = () => scrape(b.metricsUrl, 'cache_entries_rejected_total');
    for (const spoil of [
      () => 'not json at all',
      (value: string) => value.slice(0, value.length - 7),
      (value: string) => value.replace('ncr-answers/1', 'ncr-answers/2'),
    ]) {
      const n = next++;
      await ask(stack.gatewayUrl, n);
      // Every answer entry (Keyv's envelope, then ours) rewritten with a spoiled payload.
      for (const key of redis.cli('--scan', '--pattern', `${PREFIX}answers:*`).split('\n').filter(Boolean)) {
        const envelope = JSON.parse(redis.cli('GET', key)) as { value: string };
        redis.cli('SET', key, JSON.stringify({ ...envelope, value: spoil(envelope.value) }));
      }
      const before = await rejected();
      expect(await ask(b.url, n)).toMatchObject({ status: 200, exact: true, tier: null });
      expect(await rejected()).toBeGreaterThan(before);
    }
  }, 30_000);

  it('refusing the password: a third replica serves exactly, without Redis, and counts it', async () => {
    const c = await stack.startReplica({ REDIS_URL: redis.url.replace(redis.password, 'wrong-password') });
    for (let i = 0; i < 4; i++) expect(await ask(c.url)).toMatchObject({ status: 200, exact: true });
    expect(await scrape(c.metricsUrl, 'redis_up')).toBe(0);
    expect(await scrape(c.metricsUrl, 'cache_errors_total', 'reason="unavailable"')).toBeGreaterThan(0);
  }, 60_000);
});
