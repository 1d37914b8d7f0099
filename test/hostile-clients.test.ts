// Hostile conditions, continued (hostile.test.ts has the first part): clients that stall or never read, the internal
// services reached directly, client mistakes with persisted queries, and the factorial service's memory budget.

import * as fs from 'node:fs';
import * as net from 'node:net';
import { unary } from '../harness/grpc';
import { startProcesses, type Processes } from '../harness/processes';
import { createFactorialClient, Representation } from '../services/factorial/client';
import { scrape } from '../harness/metrics';
import { codeOf, get, post, sleep, type Answer } from '../harness/answers';

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
