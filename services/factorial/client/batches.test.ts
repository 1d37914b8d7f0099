// FactorialBatches against a real factorial service on a free port: what a process keeps of big prime exponents,
// and what every request still pays for (its call, its share of memory).

import { status } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { Representation } from '../../../generated/proto/factorial/v1/factorial';
import { handled, startFactorialService } from '../../../harness/factorial-service';
import { legendre, primesUpTo } from '../../../harness/reference';
import { metricValue } from '../../../harness/stack';
import { Deadline } from '../../../lib/request';
import { FactorialBatches, MIN_KEPT_REPLY_BYTES } from '.';
import { exponentBytes } from '../contract';

const { REPRESENTATION_VALUE: VALUE, REPRESENTATION_PRIME_EXPONENTS: EXPONENTS } = Representation;

/** Vectors of these n are above the size kept, and of different lengths (17,984, 22,044 and 25,997 primes). */
const BIG = [200_000, 250_000, 300_000] as const;

describe('FactorialBatches: big prime exponents kept by the process', () => {
  let service: Awaited<ReturnType<typeof startFactorialService>>;
  const calls = () => handled(service.registry, 'BatchGetFactorials', 'OK');
  const scope = () => ({ deadline: new Deadline(Date.now() + 30_000) });

  beforeAll(async () => {
    service = await startFactorialService();
  });
  afterAll(async () => {
    service.client.close();
    await service.server.shutdown(1000);
  });

  it('are sizes the constant says: the smallest kept n is far above the small factorials of a cold request', () => {
    expect(exponentBytes(BIG[0])).toBeGreaterThanOrEqual(MIN_KEPT_REPLY_BYTES);
    expect(exponentBytes(100_000)).toBeLessThan(MIN_KEPT_REPLY_BYTES);
  });

  it('serves a later request without a call, with the same exponents as Legendre', async () => {
    const registry = new Registry();
    const batches = new FactorialBatches(service.client, { registry, keptExponentBytes: 1 << 20 });
    const before = await calls();
    const first = await batches.forRequest(scope()).load(BIG[0], EXPONENTS);
    expect(await calls()).toBe(before + 1);
    const second = await batches.forRequest(scope()).load(BIG[0], EXPONENTS);
    expect(await calls()).toBe(before + 1);
    expect(second).toBe(first);
    const primes = primesUpTo(BIG[0]);
    expect(second.primeExponents.length).toBe(primes.length);
    for (const i of [0, 1, 2, 1000, primes.length - 1]) expect(second.primeExponents[i]).toBe(legendre(BIG[0], primes[i]!));
    expect(await metricValue(registry, 'exponent_cache_lookups_total', { result: 'hit' })).toBe(1);
    expect(await metricValue(registry, 'exponent_cache_lookups_total', { result: 'miss' })).toBe(1);
    expect(await metricValue(registry, 'exponent_cache_bytes')).toBeGreaterThanOrEqual(second.primeExponents.byteLength);
  });

  it('asks in one call for what it does not keep, and answers every load in its place', async () => {
    const batches = new FactorialBatches(service.client, { keptExponentBytes: 1 << 20 });
    await batches.forRequest(scope()).load(BIG[0], EXPONENTS);
    const before = await calls();
    const loader = batches.forRequest(scope());
    const [small, kept, value] = await Promise.all([loader.load(1000, EXPONENTS), loader.load(BIG[0], EXPONENTS), loader.load(20, VALUE)]);
    expect(await calls()).toBe(before + 1);
    expect(small.n).toBe(1000);
    expect(small.primeExponents[0]).toBe(legendre(1000, 2));
    expect(kept.n).toBe(BIG[0]);
    expect(value.n).toBe(20);
    expect(value.value.readBigUInt64BE(value.value.length - 8)).toBe(2432902008176640000n);
  });

  it('never keeps values or small exponents: each request makes its call', async () => {
    const batches = new FactorialBatches(service.client, { keptExponentBytes: 1 << 20 });
    const before = await calls();
    for (let i = 0; i < 2; i++) {
      const loader = batches.forRequest(scope());
      await Promise.all([loader.load(100_000, EXPONENTS), loader.load(BIG[0], VALUE)]);
    }
    expect(await calls()).toBe(before + 2);
    expect(batches.keptBytes).toBe(0);
  });

  it('keeps at most its bytes, the least recently used going first', async () => {
    const entry = (n: number) => primesUpTo(n).length * 4 + 96;
    // Room for the largest one, not for two of them.
    const bound = entry(BIG[2]) + 1000;
    const batches = new FactorialBatches(service.client, { keptExponentBytes: bound });
    const load = (n: number) => batches.forRequest(scope()).load(n, EXPONENTS);
    await load(BIG[0]);
    await load(BIG[1]);
    expect(batches.keptBytes).toBe(entry(BIG[1]));
    const before = await calls();
    await load(BIG[1]);
    expect(await calls()).toBe(before);
    await load(BIG[0]);
    expect(await calls()).toBe(before + 1);
    expect(batches.keptBytes).toBeLessThanOrEqual(bound);
  });

  it('keeps nothing when its bytes are 0', async () => {
    const batches = new FactorialBatches(service.client, { keptExponentBytes: 0 });
    const before = await calls();
    await batches.forRequest(scope()).load(BIG[0], EXPONENTS);
    await batches.forRequest(scope()).load(BIG[0], EXPONENTS);
    expect(await calls()).toBe(before + 2);
  });

  it('still counts a kept reply against the request’s memory: the copy it hands a worker thread', async () => {
    const batches = new FactorialBatches(service.client, { keptExponentBytes: 1 << 20, memory: { bytes: 64 << 20, maxWaiting: 4 } });
    const first = scope();
    await batches.forRequest(first).load(BIG[0], EXPONENTS);
    first.deadline.finish();
    expect(batches.admission!.stats().inUse).toBe(0);
    const second = scope();
    const kept = await batches.forRequest(second).load(BIG[0], EXPONENTS);
    expect(batches.admission!.stats().inUse).toBe(kept.primeExponents.byteLength);
    second.deadline.finish();
    expect(batches.admission!.stats().inUse).toBe(0);
  });

  it('serves what it keeps while the service is down, and fails the rest with UNAVAILABLE', async () => {
    const own = await startFactorialService();
    try {
      const batches = new FactorialBatches(own.client, { keptExponentBytes: 1 << 20 });
      const first = await batches.forRequest(scope()).load(BIG[0], EXPONENTS);
      await own.server.shutdown(1000);
      await expect(batches.forRequest(scope()).load(BIG[0], EXPONENTS)).resolves.toBe(first);
      await expect(batches.forRequest(scope()).load(BIG[1], EXPONENTS)).rejects.toMatchObject({ code: status.UNAVAILABLE });
    } finally {
      own.client.close();
    }
  });
});
