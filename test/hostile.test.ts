// Hostile and unlucky conditions, on the real processes over real sockets: a hung or killed subgraph, heavy legal
// operations, lists of 20,000 items. Each promise of the README's "Limits and security" under the condition that
// tests it (hostile-clients.test.ts has the rest: clients that stall or never read, the internal services reached
// directly, client mistakes, the factorial service's memory budget).

import { startProcesses, type Processes } from '../harness/processes';
import { binomial } from '../harness/reference';
import { scrape } from '../harness/metrics';
import { codeOf, get, post } from '../harness/answers';

describe('a subgraph that hangs (SIGSTOP)', () => {
  const BUDGET_MS = 1500;
  let stack: Processes;
  beforeAll(async () => {
    stack = await startProcesses({ REQUEST_TIMEOUT_MS: String(BUDGET_MS) });
  }, 60_000);
  afterAll(async () => {
    stack.get('math').child.kill('SIGCONT');
    await stack.stopAll();
  });

  it('answers DEADLINE_EXCEEDED within the budget and a second, over REST and GraphQL, then serves again once it wakes', async () => {
    stack.get('math').child.kill('SIGSTOP');
    // Three identical GraphQL operations: two wait for the first one's answer, which never comes; each still ends
    // within its own budget.
    const [rest, ...graphql] = await Promise.all([
      get(`${stack.gatewayUrl}/api/ncr/1234/567`),
      ...Array.from({ length: 3 }, () => post(`${stack.gatewayUrl}/graphql`, '{ ncr(n: 1235, r: 567) }')),
    ]);
    expect(rest).toMatchObject({ status: 504, body: { code: 'DEADLINE_EXCEEDED', msg: "the request's time budget ran out" } });
    expect(rest.headers.get('retry-after')).toBe('1');
    for (const answer of graphql) expect(codeOf(answer)).toBe('DEADLINE_EXCEEDED');
    for (const answer of [rest, ...graphql]) expect(answer.ms).toBeLessThan(BUDGET_MS + 1000);
    stack.get('math').child.kill('SIGCONT');
    const again = await get(`${stack.gatewayUrl}/api/ncr/1234/567`);
    expect(again.status).toBe(200);
  }, 30_000);
});

describe('a subgraph that is down (SIGKILL)', () => {
  let stack: Processes;
  beforeAll(async () => {
    stack = await startProcesses();
  }, 60_000);
  afterAll(() => stack.stopAll());

  it('answers SUBGRAPH_UNAVAILABLE (503 over REST, with Retry-After), never a bug, and recovers without a gateway restart', async () => {
    stack.get('math').child.kill('SIGKILL');
    await stack.get('math').exited;
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => get(`${stack.gatewayUrl}/api/ncr/${100 + i}/7`)));
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 503, body: { code: 'SUBGRAPH_UNAVAILABLE' } });
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(answer.body.msg).toMatch(/^the math subgraph cannot be reached or failed \(.+\); retry later$/);
    }
    const graphql = await post(`${stack.gatewayUrl}/graphql`, '{ ncr(n: 30, r: 7) }');
    expect(codeOf(graphql)).toBe('SUBGRAPH_UNAVAILABLE');
    expect(graphql.headers.get('retry-after')).toBe('1');
    // Counted as an outage, not as a bug: the InternalErrors alert stays quiet.
    expect(await scrape(stack.gatewayMetricsUrl, 'graphql_errors_total', 'code="INTERNAL_SERVER_ERROR"')).toBe(0);
    expect(await scrape(stack.gatewayMetricsUrl, 'graphql_errors_total', 'code="SUBGRAPH_UNAVAILABLE"')).toBeGreaterThanOrEqual(21);
    await stack.start('math');
    expect(await get(`${stack.gatewayUrl}/api/ncr/30/7`)).toMatchObject({ status: 200, body: { ncr: Number(binomial(30, 7)) } });
  }, 60_000);
});

describe('heavy legal operations, on an idle stack', () => {
  let stack: Processes;
  beforeAll(async () => {
    stack = await startProcesses();
  }, 60_000);
  afterAll(() => stack.stopAll());

  const batchCalls = () => scrape(stack.factorialMetricsUrl, 'grpc_server_handled_total', 'grpc_method="BatchGetFactorials"');

  it('serves 50 aliases that need 100 distinct factorials above 200,000, more than the factorial queue holds', async () => {
    const fields = Array.from({ length: 50 }, (_, i) => `a${i}: ncr(n: ${1_000_000 - 2 * i}, r: 1)`).join(' ');
    const answer = await post(`${stack.gatewayUrl}/graphql`, `{ ${fields} }`);
    expect(answer.body.errors).toBeUndefined();
    for (let i = 0; i < 50; i++) expect(answer.body.data![`a${i}`]).toBe(String(1_000_000 - 2 * i));
  }, 60_000);

  it('serves 50 aliases whose results all go to worker threads, more than the math queue holds, exactly', async () => {
    const fields = Array.from({ length: 50 }, (_, i) => `a${i}: ncr(n: ${10_000 + i}, r: 5000)`).join(' ');
    const answer = await post(`${stack.gatewayUrl}/graphql`, `{ ${fields} }`);
    expect(answer.body.errors).toBeUndefined();
    for (const i of [0, 17, 49]) expect(answer.body.data![`a${i}`]).toBe(binomial(10_000 + i, 5000).toString());
  }, 60_000);

  it('refuses an operation that needs more distinct factorials than one may, up front, with no gRPC call', async () => {
    // Two multinomials of 100 distinct terms (and their sums), and 20 ncr of 3 distinct factorials each: 262.
    const terms = (k: number) => `[${Array.from({ length: 100 }, (_, i) => 1000 * k + i + 2).join(', ')}]`;
    const ncr = Array.from({ length: 20 }, (_, i) => `c${i}: ncr(n: ${50_000 + 3 * i}, r: ${20_000 + i})`).join(' ');
    const calls = await batchCalls();
    const answer = await post(`${stack.gatewayUrl}/graphql`, `{ a: multinomial(ks: ${terms(1)}) b: multinomial(ks: ${terms(2)}) ${ncr} }`);
    expect(codeOf(answer)).toBe('BAD_USER_INPUT');
    expect(answer.body.errors![0]!.message).toBe(
      'the operation needs more than 256 distinct factorials, the limit (MAX_OPERATION_FACTORIALS)',
    );
    expect(await batchCalls()).toBe(calls);
  });

  it('refuses a list of 20,000 items before any per-item work: one error, no gRPC call, the event loops never held 100 ms', async () => {
    const ns = Array.from({ length: 20_000 }, (_, i) => i % 150);
    const urls = [stack.gatewayMetricsUrl, stack.mathMetricsUrl];
    for (const url of urls) await scrape(url, 'eventloop_blocked_max_seconds'); // a new window from here
    const calls = await batchCalls();
    // The subgraph takes the entities one gateway fetch can carry besides: MAX_LIST_LENGTH + MAX_ROOT_FIELDS.
    for (const [target, limit] of [
      [`${stack.gatewayUrl}/graphql`, '256 items in all (MAX_LIST_LENGTH)'],
      [stack.mathUrl, '306 items in all (MAX_LIST_LENGTH + MAX_ROOT_FIELDS)'],
    ] as const) {
      const answer = await post(target, 'query ($ns: [Int!]!) { factorials(ns: $ns) { n value } }', { ns });
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([
        { message: `the operation's list arguments may hold at most ${limit} (got 20000)`, extensions: { code: 'BAD_USER_INPUT' } },
      ]);
    }
    expect(await batchCalls()).toBe(calls);
    for (const url of urls) expect(await scrape(url, 'eventloop_blocked_max_seconds')).toBeLessThan(0.1);
  });

  it("counts a list's values once against MAX_OPERATION_DIGITS (two values of about a million digits each are 2 M, not 4 M)", async () => {
    const answer = await post(`${stack.gatewayUrl}/graphql`, '{ factorials(ns: [205000, 205001]) { n value } }');
    expect(answer.body.errors).toBeUndefined();
    const [first, second] = answer.body.data!.factorials as { n: number; value: string }[];
    expect(BigInt(second!.value)).toBe(BigInt(first!.value) * 205_001n);
  }, 60_000);
});
