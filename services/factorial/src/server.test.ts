// The gRPC factorial service over a real socket: both RPCs and representations, limits, health, reflection.

import { status, type ServiceError } from '@grpc/grpc-js';
import { Representation } from '../../../generated/proto/factorial/v1/factorial';
import type { FactorialMessage } from '../client';
import { bytesToBigint } from '../../../lib/math';
import { SERVICE_NAME } from '../contract';
import { healthCheck, listServicesByReflection, unary } from '../../../harness/grpc';
import { handled, startFactorialService as start } from '../../../harness/factorial-service';
import { legendre, slowFactorial } from '../../../harness/reference';

const { REPRESENTATION_VALUE: VALUE, REPRESENTATION_PRIME_EXPONENTS: EXPONENTS } = Representation;

describe('factorial service', () => {
  let ctx: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    ctx = await start({ maxN: 100_000, workers: 1 });
  });
  afterAll(async () => {
    ctx.client.close();
    await ctx.server.shutdown(1000);
  });

  it('answers GetFactorial with the value of n!', async () => {
    for (const n of [0, 1, 5, 20, 21, 170, 3000]) {
      const reply = await unary(ctx.client.getFactorial.bind(ctx.client), { n, representation: VALUE });
      expect(reply.n).toBe(n);
      expect(bytesToBigint(reply.value)).toBe(slowFactorial(n));
      expect(Array.from(reply.primeExponents)).toEqual([]);
    }
  });

  it('treats an unspecified representation as a value', async () => {
    const reply = await unary(ctx.client.getFactorial.bind(ctx.client), {
      n: 25,
      representation: Representation.REPRESENTATION_UNSPECIFIED,
    });
    expect(bytesToBigint(reply.value)).toBe(slowFactorial(25));
  });

  it('answers GetFactorial with the prime exponents of n!', async () => {
    const reply = await unary(ctx.client.getFactorial.bind(ctx.client), { n: 1000, representation: EXPONENTS });
    expect(reply.value.length).toBe(0);
    expect(reply.primeExponents.length).toBe(168);
    expect(Array.from(reply.primeExponents.slice(0, 4))).toEqual([
      legendre(1000, 2),
      legendre(1000, 3),
      legendre(1000, 5),
      legendre(1000, 7),
    ]);
    expect(reply.primeExponents[167]).toBe(legendre(1000, 997));
  });

  it('serves large n computed on a worker thread', async () => {
    const reply = await unary(ctx.client.getFactorial.bind(ctx.client), { n: 50_000, representation: VALUE });
    const value = bytesToBigint(reply.value);
    expect(value % 1_000_000_007n).toBe(
      (() => {
        let r = 1n;
        for (let k = 2n; k <= 50_000n; k++) r = (r * k) % 1_000_000_007n;
        return r;
      })(),
    );
  });

  it('returns a batch in request order, one per request, duplicates included', async () => {
    const requests = [
      { n: 7, representation: VALUE },
      { n: 30, representation: EXPONENTS },
      { n: 7, representation: VALUE },
      { n: 2500, representation: VALUE },
      { n: 30, representation: VALUE },
      { n: 0, representation: EXPONENTS },
    ];
    const reply = await unary(ctx.client.batchGetFactorials.bind(ctx.client), { requests });
    expect(reply.factorials.map((f: FactorialMessage) => f.n)).toEqual([7, 30, 7, 2500, 30, 0]);
    expect(bytesToBigint(reply.factorials[0]!.value)).toBe(5040n);
    expect(Array.from(reply.factorials[1]!.primeExponents)).toEqual([2, 3, 5, 7, 11, 13, 17, 19, 23, 29].map((p) => legendre(30, p)));
    expect(bytesToBigint(reply.factorials[2]!.value)).toBe(5040n);
    expect(bytesToBigint(reply.factorials[3]!.value)).toBe(slowFactorial(2500));
    expect(bytesToBigint(reply.factorials[4]!.value)).toBe(slowFactorial(30));
    expect(Array.from(reply.factorials[5]!.primeExponents)).toEqual([]);
  });

  it('rejects n = MAX_N + 1 with INVALID_ARGUMENT naming the limit', async () => {
    const error = (await unary(ctx.client.getFactorial.bind(ctx.client), { n: 100_001, representation: VALUE }).catch(
      (e: unknown) => e,
    )) as ServiceError;
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toBe('n must be at most 100000 (MAX_N), but got: 100001');
    const atLimit = await unary(ctx.client.getFactorial.bind(ctx.client), { n: 100_000, representation: EXPONENTS });
    expect(atLimit.primeExponents.length).toBe(9592);
  });

  it('rejects a whole batch when one request is over the limit, and an oversized batch', async () => {
    const tooBig = await unary(ctx.client.batchGetFactorials.bind(ctx.client), {
      requests: [
        { n: 3, representation: VALUE },
        { n: 200_000, representation: VALUE },
      ],
    }).catch((e: ServiceError) => e);
    expect((tooBig as ServiceError).code).toBe(status.INVALID_ARGUMENT);
    const many = await unary(ctx.client.batchGetFactorials.bind(ctx.client), {
      requests: Array.from({ length: 1001 }, (_, n) => ({ n, representation: EXPONENTS })),
    }).catch((e: ServiceError) => e);
    expect((many as ServiceError).code).toBe(status.INVALID_ARGUMENT);
    expect((many as ServiceError).details).toContain('at most 1000 requests, but got: 1001');
  });

  it('rejects an unknown representation', async () => {
    const error = await unary(ctx.client.getFactorial.bind(ctx.client), { n: 3, representation: 7 as Representation }).catch(
      (e: ServiceError) => e,
    );
    expect((error as ServiceError).code).toBe(status.INVALID_ARGUMENT);
  });

  it('counts calls by method and code in grpc_server_handled_total', async () => {
    const before = await handled(ctx.registry, 'BatchGetFactorials', 'OK');
    await unary(ctx.client.batchGetFactorials.bind(ctx.client), { requests: [{ n: 4, representation: VALUE }] });
    expect(await handled(ctx.registry, 'BatchGetFactorials', 'OK')).toBe(before + 1);
    expect(await handled(ctx.registry, 'GetFactorial', 'INVALID_ARGUMENT')).toBeGreaterThan(0);
  });

  it('lists the service through reflection, as grpcurl does', async () => {
    const services = await listServicesByReflection(ctx.address);
    expect(services).toEqual(expect.arrayContaining([SERVICE_NAME, 'grpc.health.v1.Health']));
  });

  it('reports SERVING for the server and the service', async () => {
    expect(await healthCheck(ctx.address)).toBe('SERVING');
    expect(await healthCheck(ctx.address, SERVICE_NAME)).toBe('SERVING');
  });
});
