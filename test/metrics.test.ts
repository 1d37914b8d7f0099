// The operations metrics move as an operator expects: for a success, for each error code, for cache hits.
// Real gateway, subgraph and factorial service on loopback ports; the gateway and subgraph are scraped at /metrics.

import { graphql, startStack, type Stack } from '../harness/stack';
import { binomial } from '../harness/reference';

jest.setTimeout(60_000);

/** The sum of the samples of `name` whose labels include `labels`, from Prometheus text. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(match[3]);
  }
  return sum;
}

describe('metrics', () => {
  let stack: Stack;
  const scrape = async (url: string): Promise<string> => (await fetch(url)).text();
  const gatewayMetrics = (): Promise<string> => scrape(stack.gatewayMetricsUrl);
  const mathMetrics = (): Promise<string> => scrape(stack.mathUrl.replace('/graphql', '/metrics'));
  const factorialMetrics = (): Promise<string> => stack.factorialRegistry.metrics();
  /** Every metric the three expose, scraped at once. */
  const all = async () => ({ gateway: await gatewayMetrics(), math: await mathMetrics(), factorial: await factorialMetrics() });
  const delta = async <T>(
    action: () => Promise<T>,
  ): Promise<{ result: T; before: Awaited<ReturnType<typeof all>>; after: Awaited<ReturnType<typeof all>> }> => {
    const before = await all();
    const result = await action();
    return { result, before, after: await all() };
  };
  const change = (d: { before: Record<string, string>; after: Record<string, string> }, where: string, name: string, labels = {}) =>
    sample(d.after[where]!, name, labels) - sample(d.before[where]!, name, labels);

  beforeAll(async () => {
    // One worker and no queue, so that RESOURCE_EXHAUSTED can be provoked (small values are computed inline).
    stack = await startStack({ gateway: true, factorial: { workers: 1, maxQueue: 0 } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('count a successful operation at every hop: HTTP, operations, one batch of its keys, gRPC OK on both sides', async () => {
    const d = await delta(() => graphql(`${stack.gatewayUrl}/graphql`, '{ a: ncr(n: 30, r: 12) b: ncr(n: 31, r: 12) }'));
    expect(d.result.data).toEqual({ a: binomial(30, 12).toString(), b: binomial(31, 12).toString() });
    expect(change(d, 'gateway', 'http_request_duration_seconds_count', { route: '/graphql', status_code: '200' })).toBe(1);
    expect(change(d, 'gateway', 'graphql_errors_total')).toBe(0);
    expect(change(d, 'math', 'math_operations_total')).toBe(1);
    expect(change(d, 'math', 'grpc_client_handled_total', { grpc_method: 'BatchGetFactorials', grpc_code: 'OK' })).toBe(1);
    expect(change(d, 'math', 'grpc_client_handling_seconds_count', { grpc_method: 'BatchGetFactorials' })).toBe(1);
    // Keys 30!, 31!, 12!, 18!, 19!: one batch of five.
    expect(change(d, 'math', 'factorial_batch_size_count')).toBe(1);
    expect(change(d, 'math', 'factorial_batch_size_sum')).toBe(5);
    expect(change(d, 'factorial', 'grpc_server_handled_total', { grpc_method: 'BatchGetFactorials', grpc_code: 'OK' })).toBe(1);
    expect(change(d, 'factorial', 'factorial_keys_total', { representation: 'value' })).toBe(5);
  });

  it("count cache hits and misses: the factorial cache per key, the gateway's cache of answers per request", async () => {
    // C(45, 20) and C(45, 25) need the same three factorials: the second operation is new to the gateway's cache of
    // answers, and finds all three in the factorial cache.
    const first = await delta(() => graphql(`${stack.gatewayUrl}/graphql`, '{ ncr(n: 45, r: 20) }'));
    expect(change(first, 'factorial', 'factorial_cache_lookups_total', { result: 'miss' })).toBe(3);
    expect(change(first, 'factorial', 'factorial_cache_lookups_total', { result: 'hit' })).toBe(0);
    expect(change(first, 'gateway', 'cache_lookups_total', { cache: 'graphql', result: 'miss' })).toBe(1);
    const second = await delta(() => graphql(`${stack.gatewayUrl}/graphql`, '{ ncr(n: 45, r: 25) }'));
    expect(change(second, 'factorial', 'factorial_cache_lookups_total', { result: 'hit' })).toBe(3);
    expect(change(second, 'factorial', 'factorial_cache_lookups_total', { result: 'miss' })).toBe(0);
    // The first operation again: the gateway answers it, and no process behind it hears of it.
    const again = await delta(() => graphql(`${stack.gatewayUrl}/graphql`, '{ ncr(n: 45, r: 20) }'));
    expect(again.result.data).toEqual({ ncr: '3169870830126' });
    expect(change(again, 'gateway', 'cache_lookups_total', { cache: 'graphql', result: 'hit' })).toBe(1);
    expect(change(again, 'gateway', 'cache_lookups_total', { cache: 'graphql', result: 'miss' })).toBe(0);
    expect(change(again, 'math', 'math_operations_total')).toBe(0);
    expect(change(again, 'factorial', 'factorial_cache_lookups_total')).toBe(0);

    const rest = async () => (await fetch(`${stack.gatewayUrl}/api/ncr/47/21`)).status;
    const cold = await delta(rest);
    expect(cold.result).toBe(200);
    expect(change(cold, 'gateway', 'cache_lookups_total', { cache: 'rest', result: 'miss' })).toBe(1);
    const hot = await delta(rest);
    expect(change(hot, 'gateway', 'cache_lookups_total', { cache: 'rest', result: 'hit' })).toBe(1);
    expect(change(hot, 'gateway', 'cache_lookups_total', { cache: 'rest', result: 'miss' })).toBe(0);
    // A hit makes no call at all.
    expect(change(hot, 'math', 'math_operations_total')).toBe(0);
    expect(change(hot, 'gateway', 'http_request_duration_seconds_count', { route: '/api/ncr/:n/:r', status_code: '200' })).toBe(1);
    expect(change(hot, 'gateway', 'response_cache_bytes')).toBe(0);
    expect(sample(hot.after.gateway!, 'response_cache_bytes')).toBeGreaterThan(0);
  });

  it('count BAD_USER_INPUT in the gateway and the subgraph, with no gRPC call', async () => {
    const d = await delta(() => graphql(`${stack.gatewayUrl}/graphql`, '{ ncr(n: 5, r: 7) }'));
    expect(d.result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(change(d, 'gateway', 'graphql_errors_total', { code: 'BAD_USER_INPUT' })).toBe(1);
    expect(change(d, 'math', 'graphql_errors_total', { code: 'BAD_USER_INPUT' })).toBe(1);
    expect(change(d, 'math', 'grpc_client_handled_total')).toBe(0);
  });

  it('count DEADLINE_EXCEEDED in the subgraph, and a call it made ended on the client side, never OK', async () => {
    const d = await delta(() => graphql(stack.mathUrl, '{ ncr(n: 999999, r: 400000) }', undefined, { 'x-request-timeout-ms': '5' }));
    expect(d.result.errors?.[0]?.extensions?.code).toBe('DEADLINE_EXCEEDED');
    expect(change(d, 'math', 'graphql_errors_total', { code: 'DEADLINE_EXCEEDED' })).toBe(1);
    // A call ends by its gRPC deadline or by the request's own timer cancelling it, whichever fires first; when the
    // 5 ms are gone before the call would start (a busy machine), no call is made at all.
    const ended = ['DEADLINE_EXCEEDED', 'CANCELLED'].map((code) => change(d, 'math', 'grpc_client_handled_total', { grpc_code: code }));
    expect(ended[0]! + ended[1]!).toBeLessThanOrEqual(1);
    expect(change(d, 'math', 'grpc_client_handled_total')).toBe(ended[0]! + ended[1]!);
    expect(change(d, 'math', 'grpc_client_handled_total', { grpc_code: 'OK' })).toBe(0);
  });

  it('count RESOURCE_EXHAUSTED on both gRPC sides and in both GraphQL servers', async () => {
    // The one worker busy with a big factorial, no queue: the second call is refused at once.
    const big = graphql(`${stack.gatewayUrl}/graphql`, '{ factorial(n: 150000) }');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const d = await delta(() => graphql(`${stack.gatewayUrl}/graphql`, '{ factorial(n: 140000) }'));
    expect((await big).data?.factorial).toMatch(/^\d{600000,}$/);
    expect(d.result.errors?.[0]?.extensions?.code).toBe('RESOURCE_EXHAUSTED');
    expect(change(d, 'gateway', 'graphql_errors_total', { code: 'RESOURCE_EXHAUSTED' })).toBe(1);
    expect(change(d, 'math', 'graphql_errors_total', { code: 'RESOURCE_EXHAUSTED' })).toBe(1);
    expect(change(d, 'math', 'grpc_client_handled_total', { grpc_code: 'RESOURCE_EXHAUSTED' })).toBe(1);
    expect(change(d, 'factorial', 'grpc_server_handled_total', { grpc_code: 'RESOURCE_EXHAUSTED' })).toBe(1);
  });

  it('count FACTORIAL_UNAVAILABLE while the factorial service is down', async () => {
    await stack.stopFactorial();
    try {
      const before = { gateway: await gatewayMetrics(), math: await mathMetrics() };
      const result = await graphql(`${stack.gatewayUrl}/graphql`, '{ ncr(n: 50, r: 20) }');
      const after = { gateway: await gatewayMetrics(), math: await mathMetrics() };
      const d = { before, after };
      expect(result.errors?.[0]?.extensions?.code).toBe('FACTORIAL_UNAVAILABLE');
      expect(change(d, 'gateway', 'graphql_errors_total', { code: 'FACTORIAL_UNAVAILABLE' })).toBe(1);
      expect(change(d, 'math', 'graphql_errors_total', { code: 'FACTORIAL_UNAVAILABLE' })).toBe(1);
      expect(change(d, 'math', 'grpc_client_handled_total', { grpc_code: 'UNAVAILABLE' })).toBe(1);
    } finally {
      await stack.startFactorial();
    }
  });

  it('expose the event-loop delay and the worker pools at every scrape', async () => {
    const { gateway, math, factorial } = await all();
    for (const text of [gateway, math, factorial]) expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    expect(math).toMatch(/^math_worker_pool_tasks\{state="busy"\} \d+$/m);
    expect(factorial).toMatch(/^factorial_worker_pool_tasks\{state="queued"\} \d+$/m);
  });
});
