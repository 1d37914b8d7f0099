// Hostile and unlucky conditions, on the real processes over real sockets: a hung or killed subgraph, heavy legal
// operations, lists of 20,000 items, clients that stall or never read, the internal services reached directly,
// and client mistakes. Each promise of the README's "Limits and security" under the condition that tests it.

import * as fs from 'node:fs';
import * as net from 'node:net';
import { unary } from '../harness/grpc';
import { startProcesses, type Processes } from '../harness/processes';
import { createFactorialClient, Representation } from '../services/factorial/client';
import { binomial } from '../harness/reference';
import { scrape } from '../harness/metrics';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] } & Record<string, unknown>;
  ms: number;
}

async function post(url: string, query: string, variables?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Answer['body'],
    ms: performance.now() - started,
  };
}

async function get(url: string): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Answer['body'],
    ms: performance.now() - started,
  };
}

const codeOf = (answer: Answer): string | undefined =>
  answer.body.errors?.[0]?.extensions?.code ?? (answer.body.code as string | undefined);

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

/** A raw client on the gateway's port: writes what it is told, reads (and drops) what comes, and reports when the server closes the connection. */
function rawClient(url: string): { socket: net.Socket; closed: Promise<number> } {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const opened = Date.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - opened)));
  socket.on('error', () => {});
  socket.resume();
  return { socket, closed };
}

describe('clients that stall or never read', () => {
  const TIMEOUTS = {
    HTTP_HEADERS_TIMEOUT_MS: '1000',
    HTTP_REQUEST_TIMEOUT_MS: '1500',
    HTTP_SEND_TIMEOUT_MS: '1000',
    HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
  };
  let stack: Processes;
  beforeAll(async () => {
    stack = await startProcesses(TIMEOUTS);
  }, 60_000);
  afterAll(() => stack.stopAll());

  it('closes connections that never finish their headers within the headers timeout (slowloris)', async () => {
    const clients = Array.from({ length: 20 }, () => rawClient(stack.gatewayUrl));
    for (const { socket } of clients) socket.write('GET /api/ncr/10/3 HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const drip = setInterval(() => clients.forEach(({ socket }) => socket.writable && socket.write('a')), 200);
    try {
      for (const ms of await Promise.all(clients.map((c) => c.closed))) expect(ms).toBeLessThan(1000 + 1500);
    } finally {
      clearInterval(drip);
    }
  });

  it('closes connections whose body stalls within the request timeout', async () => {
    const clients = Array.from({ length: 20 }, () => rawClient(stack.gatewayUrl));
    for (const { socket } of clients) {
      socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":');
    }
    for (const ms of await Promise.all(clients.map((c) => c.closed))) expect(ms).toBeLessThan(1500 + 1500);
  });

  it('closes idle keep-alive connections within the keep-alive timeout', async () => {
    const client = rawClient(stack.gatewayUrl);
    client.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await client.closed).toBeLessThan(1000 + 1500);
  });

  it('resets the connections of clients that never read their pipelined 301,030-byte answers within the send timeout', async () => {
    // Warm the REST cache: every answer is then ready at once, and only the clients' reading holds them.
    expect((await fetch(`${stack.gatewayUrl}/api/ncr/1000000/500000`)).status).toBe(200);
    const closedForSending = () => scrape(stack.gatewayMetricsUrl, 'http_slow_clients_closed_total', 'reason="send"');
    const before = await closedForSending();
    // 100 answers of 301 KB each: 30 MB a connection, more than the kernel's buffers hold.
    const clients = Array.from({ length: 10 }, () => rawClient(stack.gatewayUrl));
    for (const { socket } of clients) {
      socket.pause(); // never reads
      socket.write('GET /api/ncr/1000000/500000 HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(100));
    }
    const started = Date.now();
    while ((await closedForSending()) < before + clients.length && Date.now() - started < 20_000) await sleep(100);
    expect(await closedForSending()).toBe(before + clients.length);
    expect(Date.now() - started).toBeLessThan(1000 + 5000);
    // The gateway serves on.
    expect((await fetch(`${stack.gatewayUrl}/api/ncr/10/3`)).status).toBe(200);
  }, 30_000);
});

describe('the internal services, reached directly', () => {
  let stack: Processes;
  beforeAll(async () => {
    stack = await startProcesses();
  }, 60_000);
  afterAll(() => stack.stopAll());

  it("enforce the gateway's aliases, root-field and list limits in the math subgraph, whoever calls", async () => {
    const aliases = (k: number) => Array.from({ length: k }, (_, i) => `a${i}: ncr(n: 5, r: 2)`).join(' ');
    const over = await post(stack.mathUrl, `{ ${aliases(51)} }`);
    expect(over.status).toBe(400);
    expect(codeOf(over)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(over.body.errors!.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Aliases limit of 50 exceeded, found 51.'),
        'Root fields limit of 50 exceeded, found 51.',
      ]),
    );
    // 4,000 aliases in 95 KB: refused before they are even parsed in full.
    const huge = await post(stack.mathUrl, `{ ${aliases(4000)} }`);
    expect(huge.status).toBe(400);
    expect(codeOf(huge)).toBe('GRAPHQL_PARSE_FAILED');
    const list = await post(stack.mathUrl, `{ multinomial(ks: [${Array.from({ length: 400 }, () => 1).join(', ')}]) }`);
    expect(codeOf(list)).toBe('BAD_USER_INPUT');
  });

  it('have introspection off unless NODE_ENV=development', async () => {
    for (const url of [stack.mathUrl, `${stack.gatewayUrl}/graphql`]) {
      const answer = await post(url, '{ __schema { queryType { name } } }');
      expect(codeOf(answer)).toBe('GRAPHQL_VALIDATION_FAILED');
    }
  });

  it('refuse a mutation or a subscription with GRAPHQL_VALIDATION_FAILED, not as a bug', async () => {
    for (const [url, operation] of [
      [stack.mathUrl, 'mutation { ncr(n: 5, r: 2) }'],
      [stack.mathUrl, 'subscription { ncr(n: 5, r: 2) }'],
      [`${stack.gatewayUrl}/graphql`, 'mutation { ncr(n: 5, r: 2) }'],
    ] as const) {
      const answer = await post(url, operation);
      expect(answer.status).toBe(400);
      expect(codeOf(answer)).toBe('GRAPHQL_VALIDATION_FAILED');
    }
  });

  it('answer a bad entity representation with BAD_USER_INPUT at its own index; the others answer', async () => {
    const representations = [
      { __typename: 'Factorial', n: 5 },
      { __typename: 'Nonsense', n: 5 },
      'not an object',
      { __typename: 'Factorial', n: 6 },
    ];
    const answer = await post(stack.mathUrl, 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Factorial { n value } } }', {
      r: representations,
    });
    expect(answer.body.data!._entities).toEqual([{ n: 5, value: '120' }, null, null, { n: 6, value: '720' }]);
    expect(answer.body.errors!.map((e) => [(e as { path?: unknown[] }).path, e.extensions?.code])).toEqual([
      [['_entities', 1], 'BAD_USER_INPUT'],
      [['_entities', 2], 'BAD_USER_INPUT'],
    ]);
  });

  it("shape the HTTP layer's refusals as coded GraphQL errors, never Fastify's or plain text", async () => {
    const notFound = await get(`${stack.mathUrl.replace('/graphql', '')}/nowhere`);
    expect(notFound).toMatchObject({ status: 404, body: { errors: [{ extensions: { code: 'NOT_FOUND' } }] } });
    const malformed = await fetch(stack.mathUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    const probes = await fetch(stack.factorialMetricsUrl.replace('/metrics', '/nowhere'));
    expect(probes.status).toBe(404);
    expect(await probes.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
  });

  it("serve the gateway's metrics on a port of their own, not on the public one", async () => {
    expect((await fetch(`${stack.gatewayUrl}/metrics`)).status).toBe(404);
    expect(await (await fetch(stack.gatewayMetricsUrl)).text()).toContain('http_request_duration_seconds');
  });
});

describe('client mistakes with automatic persisted queries', () => {
  let stack: Processes;
  beforeAll(async () => {
    stack = await startProcesses();
  }, 60_000);
  afterAll(() => stack.stopAll());

  it.each([
    ['a hash that does not match the query', { version: 1, sha256Hash: 'a'.repeat(64) }, 'provided sha does not match query'],
    ['version 2', { version: 2, sha256Hash: 'a'.repeat(64) }, 'Unsupported persisted query version'],
    ['a persistedQuery that is not an object', 'yes', undefined],
  ])('answer %s with 400 and a client code, not INTERNAL_SERVER_ERROR', async (_name, persistedQuery, message) => {
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ ncr(n: 5, r: 2) }', extensions: { persistedQuery } }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as Answer['body'];
    expect(body.errors![0]!.extensions?.code).toBe('BAD_REQUEST');
    if (message) expect(body.errors![0]!.message).toBe(message);
    expect(await scrape(stack.gatewayMetricsUrl, 'graphql_errors_total', 'code="INTERNAL_SERVER_ERROR"')).toBe(0);
  });
});

describe("the factorial service's memory budget for replies", () => {
  let stack: Processes;
  beforeAll(async () => {
    stack = await startProcesses({ MEMORY_BUDGET_MB: '64' });
  }, 60_000);
  afterAll(() => stack.stopAll());

  /** The peak resident set of a process so far, in MiB (VmHWM). */
  const peakRssMiB = (pid: number): number => Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

  (process.platform === 'linux' ? it : it.skip)(
    'holds 24 concurrent maximal BatchGetFactorials replies to the budget: they wait their turn, all answered, memory bounded',
    async () => {
      const client = createFactorialClient(stack.factorialAddress);
      try {
        // 284 exponent vectors near 10^6: the largest reply one call may ask for (about 45 MB on the wire).
        const requests = Array.from({ length: 284 }, (_, i) => ({
          n: 1_000_000 - i,
          representation: Representation.REPRESENTATION_PRIME_EXPONENTS,
        }));
        const call = () => unary(client.batchGetFactorials.bind(client), { requests }, { deadline: Date.now() + 60_000 });
        await call(); // computed and cached once: the rest is replies
        const pid = stack.get('factorial').child.pid!;
        const before = peakRssMiB(pid);
        const replies = await Promise.all(Array.from({ length: 24 }, call));
        for (const reply of replies) expect(reply.factorials[283]!.n).toBe(1_000_000 - 283);
        const peak = peakRssMiB(pid);
        process.stdout.write(
          `factorial service: peak RSS ${before.toFixed(0)} MiB before, ${peak.toFixed(0)} MiB after 24 maximal replies\n`,
        );
        // Without the budget the 24 replies are built at once: over a gigabyte (2 GB was seen).
        expect(peak).toBeLessThan(before + 400);
        expect(peak).toBeLessThan(1024);
      } finally {
        client.close();
      }
    },
    120_000,
  );
});
