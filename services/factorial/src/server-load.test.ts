// The gRPC factorial service over a real socket, under load: a full queue, deadlines, batches that fail part-way,
// replies above 4 MiB, shutdown, and batches of many worker computations.

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { FactorialServiceClient, Representation } from '../../../generated/proto/factorial/v1/factorial';
import type { FactorialClient } from '../client';
import { bytesToBigint } from '../../../lib/math';
import { healthCheck, healthWatch, unary } from '../../../harness/grpc';
import { metricValue } from '../../../harness/stack';
import { handled, poolTasks, startFactorialService as start, waitFor } from '../../../harness/factorial-service';
import { legendre } from '../../../harness/reference';

const { REPRESENTATION_VALUE: VALUE, REPRESENTATION_PRIME_EXPONENTS: EXPONENTS } = Representation;

describe('factorial service under load', () => {
  let ctx: Awaited<ReturnType<typeof start>>;
  beforeEach(async () => {
    ctx = await start({ workers: 1, maxQueue: 1, cacheBytes: 0 });
  });
  afterEach(async () => {
    ctx.client.close();
    await ctx.server.shutdown(100);
  });

  it('answers a health check sent while 10^6! is being computed before that computation ends', async () => {
    let factorialDone = false;
    const big = unary(ctx.client.getFactorial.bind(ctx.client), { n: 1_000_000, representation: VALUE }).then((reply) => {
      factorialDone = true;
      return reply;
    });
    await waitFor(async () => (await poolTasks(ctx.registry, 'busy')) === 1);
    const health = await healthCheck(ctx.address);
    expect(health).toBe('SERVING');
    expect(factorialDone).toBe(false);
    // 10^6! has 18,488,885 bits: 2,311,111 bytes.
    expect((await big).value.length).toBe(2_311_111);
  });

  it('answers RESOURCE_EXHAUSTED at once when the queue is full, and frees a slot when a queued call is cancelled', async () => {
    const getFactorial = ctx.client.getFactorial.bind(ctx.client) as FactorialClient['getFactorial'];
    const running = unary(getFactorial, { n: 900_000, representation: VALUE });
    await waitFor(async () => (await poolTasks(ctx.registry, 'busy')) === 1);
    let queuedCall: { cancel(): void } | undefined;
    const queued = unary(getFactorial, { n: 800_000, representation: VALUE }, {}, (call) => (queuedCall = call)).catch(
      (e: ServiceError) => e,
    );
    await waitFor(async () => (await poolTasks(ctx.registry, 'queued')) === 1);

    const rejected = await unary(getFactorial, { n: 700_000, representation: VALUE }).catch((e: ServiceError) => e);
    expect((rejected as ServiceError).code).toBe(status.RESOURCE_EXHAUSTED);

    queuedCall!.cancel();
    expect(((await queued) as ServiceError).code).toBe(status.CANCELLED);
    await waitFor(async () => (await poolTasks(ctx.registry, 'queued')) === 0);

    const admitted = unary(getFactorial, { n: 600_000, representation: VALUE });
    await expect(running).resolves.toMatchObject({ n: 900_000 });
    await expect(admitted).resolves.toMatchObject({ n: 600_000 });
  });

  it('stops waiting when the deadline expires and frees the worker for the next call', async () => {
    const error = await unary(
      ctx.client.getFactorial.bind(ctx.client),
      { n: 1_000_000, representation: VALUE },
      { deadline: Date.now() + 100 },
    ).catch((e: ServiceError) => e);
    expect((error as ServiceError).code).toBe(status.DEADLINE_EXCEEDED);
    await waitFor(async () => (await poolTasks(ctx.registry, 'busy')) === 0);
    const reply = await unary(ctx.client.getFactorial.bind(ctx.client), { n: 20_000, representation: VALUE });
    expect(reply.n).toBe(20_000);
  });
});

describe('factorial service, its memory budget for replies', () => {
  it('refuses a call at once when another already waits for its share, and counts the refusal and the cancellation by code', async () => {
    // 1 MiB holds one big reply: the first call takes all of it, the second waits for it, the third is one too many.
    const ctx = await start({ workers: 1, maxQueue: 1, cacheBytes: 0, memoryBytes: 1024 * 1024 });
    try {
      const getFactorial = ctx.client.getFactorial.bind(ctx.client) as FactorialClient['getFactorial'];
      const count = async () => ({
        refused: await handled(ctx.registry, 'GetFactorial', 'RESOURCE_EXHAUSTED'),
        cancelled: await handled(ctx.registry, 'GetFactorial', 'CANCELLED'),
      });
      const before = await count();
      const running = unary(getFactorial, { n: 900_000, representation: VALUE });
      await waitFor(async () => (await poolTasks(ctx.registry, 'busy')) === 1);
      let waitingCall: { cancel(): void } | undefined;
      const waiting = unary(getFactorial, { n: 800_000, representation: VALUE }, {}, (call) => (waitingCall = call)).catch(
        (e: ServiceError) => e,
      );
      await waitFor(async () => (await metricValue(ctx.registry, 'admission_waiting')) === 1);
      // Not yet a task of the pool: it waits for memory, before any work.
      expect(await poolTasks(ctx.registry, 'queued')).toBe(0);

      const refused = (await unary(getFactorial, { n: 700_000, representation: VALUE }).catch((e: ServiceError) => e)) as ServiceError;
      expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(refused.details).toMatch(/saturated/);
      waitingCall!.cancel();
      expect(((await waiting) as ServiceError).code).toBe(status.CANCELLED);
      await expect(running).resolves.toMatchObject({ n: 900_000 });
      // Each way a call ended is counted once, with its code: refused by the budget, cancelled while waiting.
      await waitFor(async () => (await count()).cancelled === before.cancelled + 1);
      expect(await count()).toEqual({ refused: before.refused + 1, cancelled: before.cancelled + 1 });
      expect(await handled(ctx.registry, 'GetFactorial', 'OK')).toBeGreaterThanOrEqual(1);
    } finally {
      ctx.client.close();
      await ctx.server.shutdown(100);
    }
  }, 60_000);
});

describe('factorial service, a batch that fails part-way', () => {
  it('stops the computations the batch started, rather than finishing them for nobody', async () => {
    // With a cache, a computation that ran to the end leaves its result there: that is how the test tells.
    const ctx = await start({ workers: 1, maxQueue: 1, cacheBytes: 64 * 1024 * 1024 });
    try {
      const lookups = (result: 'hit' | 'miss') =>
        metricValue(ctx.registry, 'factorial_cache_lookups_total', { representation: 'value', result });
      // 900000! takes the worker and 800000! waits for it; the call's deadline passes long before either is done.
      const batch = ctx.client.batchGetFactorials.bind(ctx.client) as FactorialClient['batchGetFactorials'];
      const requests = [900_000, 800_000].map((n) => ({ n, representation: VALUE }));
      const error = await unary(batch, { requests }, { deadline: Date.now() + 150 }).catch((e: ServiceError) => e);
      expect((error as ServiceError).code).toBe(status.DEADLINE_EXCEEDED);
      // Nobody waits for them any more: both are stopped at once, not left to run (about a second here).
      await waitFor(async () => (await poolTasks(ctx.registry, 'busy')) + (await poolTasks(ctx.registry, 'queued')) === 0, 2000);
      // Neither ran to the end: asked for again, each is a cache miss (a short deadline stops the new computation).
      const [hits, misses] = [await lookups('hit'), await lookups('miss')];
      for (const n of [900_000, 800_000]) {
        await unary(ctx.client.getFactorial.bind(ctx.client), { n, representation: VALUE }, { deadline: Date.now() + 200 }).catch(() => {});
      }
      expect(await lookups('hit')).toBe(hits);
      expect(await lookups('miss')).toBe(misses + 2);
    } finally {
      ctx.client.close();
      await ctx.server.shutdown(100);
    }
  });

  it('serves whole, on an idle service, a batch that needs more worker computations than the queue holds', async () => {
    const ctx = await start({ workers: 1, maxQueue: 1, inlineExponentsMaxN: 0, cacheBytes: 0 });
    try {
      // Ten distinct exponent vectors, each a worker task: ten times the queue, admitted as one call.
      const requests = Array.from({ length: 10 }, (_, i) => ({ n: 20_000 + i, representation: EXPONENTS }));
      const reply = await unary(ctx.client.batchGetFactorials.bind(ctx.client), { requests });
      expect(reply.factorials.map((f) => f.n)).toEqual(requests.map((r) => r.n));
      expect(reply.factorials[3]!.primeExponents[0]).toBe(legendre(20_003, 2));
      // Another call meanwhile finds the queue taken by the first (values, a second's work): refused at once, as before.
      const values = Array.from({ length: 4 }, (_, i) => ({ n: 300_000 + i, representation: VALUE }));
      const first = unary(ctx.client.batchGetFactorials.bind(ctx.client), { requests: values });
      await waitFor(async () => (await poolTasks(ctx.registry, 'queued')) > 0);
      const second = await unary(ctx.client.getFactorial.bind(ctx.client), { n: 30_000, representation: EXPONENTS }).catch(
        (e: ServiceError) => e,
      );
      expect((second as ServiceError).code).toBe(status.RESOURCE_EXHAUSTED);
      expect((await first).factorials).toHaveLength(4);
    } finally {
      ctx.client.close();
      await ctx.server.shutdown(100);
    }
  });
});

describe('factorial service replies above 4 MiB', () => {
  it("reach a client with the service's settings, and not one with gRPC's defaults", async () => {
    const ctx = await start({ workers: 2 });
    const plain = new FactorialServiceClient(ctx.address, credentials.createInsecure());
    try {
      const requests = [
        { n: 1_000_000, representation: VALUE },
        { n: 999_999, representation: VALUE },
      ];
      const reply = await unary(ctx.client.batchGetFactorials.bind(ctx.client), { requests });
      expect(reply.factorials[0]!.value.length).toBe(2_311_111);
      expect(reply.factorials[0]!.value.length + reply.factorials[1]!.value.length).toBeGreaterThan(4 * 1024 * 1024);
      expect(bytesToBigint(reply.factorials[0]!.value)).toBe(bytesToBigint(reply.factorials[1]!.value) * 1_000_000n);

      const error = await unary(plain.batchGetFactorials.bind(plain), { requests }).catch((e: ServiceError) => e);
      expect((error as ServiceError).code).toBe(status.RESOURCE_EXHAUSTED);
    } finally {
      plain.close();
      ctx.client.close();
      await ctx.server.shutdown(100);
    }
  });
});

describe('factorial service shutdown', () => {
  it('reports NOT_SERVING once shutdown starts, finishes in-flight calls, then stops', async () => {
    const ctx = await start({ workers: 1 });
    try {
      const statuses: string[] = [];
      const stopWatching = healthWatch(ctx.address, (s) => statuses.push(s));
      await waitFor(async () => statuses.includes('SERVING'));
      const inFlight = unary(ctx.client.getFactorial.bind(ctx.client), { n: 300_000, representation: VALUE });
      await waitFor(async () => (await poolTasks(ctx.registry, 'busy')) === 1);

      const stopped = ctx.server.shutdown(5_000);
      await waitFor(async () => statuses.includes('NOT_SERVING'));
      stopWatching();
      expect(ctx.server.serving).toBe(false);
      await expect(inFlight).resolves.toMatchObject({ n: 300_000 });
      await stopped;

      const after = await unary(
        ctx.client.getFactorial.bind(ctx.client),
        { n: 3, representation: VALUE },
        { deadline: Date.now() + 1000 },
      ).catch((e: ServiceError) => e);
      expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain((after as ServiceError).code);
    } finally {
      ctx.client.close();
      await ctx.server.shutdown(100);
    }
  });
});

describe('factorial service, a batch of many worker computations', () => {
  it('waits for them all without a MaxListenersExceededWarning (the warning a real process would print)', () => {
    // In a process of its own: a warning goes to the real process's stderr, which this test's sandbox does not see.
    const script = `
      const { createFactorialServer } = require(${JSON.stringify(path.join(__dirname, 'server.ts'))});
      const { createFactorialClient } = require(${JSON.stringify(path.join(__dirname, '../client/index.ts'))});
      (async () => {
        const server = createFactorialServer({ workers: 1, inlineValueMaxN: 0, inlineExponentsMaxN: 0, cacheBytes: 0 });
        const port = await server.listen('127.0.0.1', 0);
        const client = createFactorialClient('127.0.0.1:' + port);
        const requests = Array.from({ length: 30 }, (_, i) => ({ n: 2000 + i, representation: 1 + (i % 2) }));
        await new Promise((resolve, reject) =>
          client.batchGetFactorials({ requests }, (error, reply) => (error ? reject(error) : resolve(reply))));
        client.close();
        await server.shutdown(100);
        console.log('answered');
      })();`;
    const run = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stdout).toContain('answered');
    expect(run.stderr).not.toContain('MaxListenersExceededWarning');
  });
});
