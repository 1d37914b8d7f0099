// Traces and logs across the four services as real processes: each exports its spans over OTLP/HTTP to a
// receiver in this test, which keeps them in memory; logs are read from each process's stdout.

import { randomBytes } from 'node:crypto';
import { graphql } from '../harness/stack';
import { startProcesses, type Processes, type ServiceName } from '../harness/processes';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../harness/otlp-receiver';
import { binomial, slowFactorial } from '../harness/reference';

jest.setTimeout(120_000);

const SERVER = 2;
const CLIENT = 3;
const SERVICES: ServiceName[] = ['gateway', 'math', 'factorial'];

interface LogLine {
  level: string;
  service: string;
  msg: string;
  trace_id?: string;
  span_id?: string;
  request_id?: string;
  [field: string]: unknown;
}

/** The JSON log lines a process has written so far (anything else on its output is ignored). */
function logLines(processes: Processes, name: ServiceName): LogLine[] {
  return processes
    .get(name)
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

function traceparent(): { header: string; traceId: string; parentId: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { header: `00-${traceId}-${parentId}-01`, traceId, parentId };
}

function only(spans: ReceivedSpan[], where: (span: ReceivedSpan) => boolean, what: string): ReceivedSpan {
  const found = spans.filter(where);
  if (found.length !== 1)
    throw new Error(`expected one ${what}, found ${found.length}: ${spans.map((s) => `${s.service}:${s.name}`).join(', ')}`);
  return found[0]!;
}

describe('with tracing on (OTLP/HTTP to a receiver)', () => {
  let receiver: OtlpReceiver;
  let processes: Processes;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    processes = await startProcesses({
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
  });
  afterAll(async () => {
    await processes?.stopAll();
    await receiver?.close();
  });

  it('makes one trace across the three processes, parent links intact, batch size and arguments recorded', async () => {
    const client = traceparent();
    const query = '{ big: ncr(n: 20000, r: 10000) small: ncr(n: 10, r: 3) f: factorial(n: 3000) }';
    const response = await graphql(`${processes.gatewayUrl}/graphql`, query, undefined, { traceparent: client.header });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      big: binomial(20000, 10000).toString(),
      small: '120',
      f: slowFactorial(3000).toString(),
    });

    const spans = await receiver.waitForTrace(
      client.traceId,
      (trace) =>
        ['POST /graphql', 'POST', `factorial.v1.FactorialService/BatchGetFactorials`, 'factorial.compute'].every((name) =>
          trace.some((span) => span.name === name),
        ) &&
        trace.filter((span) => span.name === 'math.worker').length === 2 &&
        trace.filter((span) => span.name === 'POST /graphql').length === 2 &&
        // The factorial service's SERVER span ends after its reply is sent: it is exported on its own schedule.
        trace.some((span) => span.service === 'factorial' && span.kind === SERVER),
    );

    // One trace id, from all three processes; every parent is in the trace, except the root's: the client's span.
    expect(new Set(spans.map((span) => span.service))).toEqual(new Set(SERVICES));
    const ids = new Set(spans.map((span) => span.spanId));
    const root = only(spans, (span) => !ids.has(span.parentSpanId), 'root span');
    expect(root).toMatchObject({ service: 'gateway', name: 'POST /graphql', kind: SERVER, parentSpanId: client.parentId });
    expect(root.attributes['http.response.status_code']).toBe(200);

    // gateway --HTTP--> math: the math SERVER span's parent is the gateway's CLIENT span, under Apollo's gateway.fetch.
    const gatewayCall = only(spans, (s) => s.service === 'gateway' && s.kind === CLIENT, 'gateway CLIENT span');
    const fetch = only(spans, (s) => s.spanId === gatewayCall.parentSpanId, "gateway CLIENT span's parent");
    expect(fetch.name).toBe('gateway.fetch');
    const mathServer = only(spans, (s) => s.service === 'math' && s.kind === SERVER, 'math SERVER span');
    expect(mathServer.parentSpanId).toBe(gatewayCall.spanId);

    // math --gRPC--> factorial: one BatchGetFactorials for the whole operation, under the request (not a field).
    const batch = only(spans, (s) => s.service === 'math' && s.kind === CLIENT, 'BatchGetFactorials CLIENT span');
    expect(batch.name).toBe('factorial.v1.FactorialService/BatchGetFactorials');
    expect(batch.parentSpanId).toBe(mathServer.spanId);
    // Distinct keys: exponents of 20000! and 10000!; values of 10!, 3!, 7! and 3000!.
    expect(batch.attributes).toMatchObject({
      'factorial.batch_size': 6,
      'factorial.keys.prime_exponents': 2,
      'factorial.keys.value': 4,
      'rpc.status_code': 'OK',
    });
    const factorialServer = only(spans, (s) => s.service === 'factorial' && s.kind === SERVER, 'factorial SERVER span');
    expect(factorialServer.parentSpanId).toBe(batch.spanId);
    expect(factorialServer.attributes).toMatchObject({ 'factorial.batch_size': 6, 'factorial.computed_in_worker': 1 });

    // The worker computation: 3000! in the factorial service's pool; the big ratio and a decimal conversion in math's.
    const compute = only(spans, (s) => s.name === 'factorial.compute', 'factorial.compute span');
    expect(compute.parentSpanId).toBe(factorialServer.spanId);
    expect(compute.attributes).toMatchObject({ 'factorial.n': 3000, 'factorial.representation': 'value' });
    expect(typeof compute.attributes['worker.queue_ms']).toBe('number');

    const fields = spans.filter((s) => s.service === 'math' && s.name.startsWith('math.') && s.name !== 'math.worker');
    expect(fields.map((s) => [s.name, s.attributes['math.n'], s.attributes['math.r'] ?? null]).sort()).toEqual([
      ['math.factorial', 3000, null],
      ['math.ncr', 10, 3],
      ['math.ncr', 20000, 10000],
    ]);
    for (const field of fields) expect(field.parentSpanId).toBe(mathServer.spanId);
    const bigNcr = fields.find((s) => s.attributes['math.n'] === 20000)!;
    expect(bigNcr.attributes).toMatchObject({ 'math.representation': 'prime_exponents', 'math.computed_in': 'worker' });
    const workers = spans.filter((s) => s.name === 'math.worker');
    expect(workers.map((s) => fields.find((f) => f.spanId === s.parentSpanId)?.name).sort()).toEqual(['math.factorial', 'math.ncr']);
  });

  it('makes one trace across both branches of a plan: gateway -> math, then gateway -> primes -> factorial', async () => {
    const client = traceparent();
    const response = await graphql(`${processes.gatewayUrl}/graphql`, '{ binomial(n: 200, r: 100) { value digitCount } }', undefined, {
      traceparent: client.header,
    });
    expect(response.errors).toBeUndefined();
    const spans = await receiver.waitForTrace(
      client.traceId,
      (trace) =>
        trace.filter((s) => s.service === 'factorial' && s.kind === SERVER).length === 2 &&
        trace.filter((s) => s.service === 'gateway' && s.kind === CLIENT).length === 2 &&
        trace.filter((s) => s.name === 'gateway.fetch').length === 2 &&
        ['math', 'primes'].every((name) => trace.some((s) => s.service === name && s.kind === SERVER)) &&
        trace.some((s) => s.name === 'primes.binomial.digitCount'),
    );
    expect(new Set(spans.map((span) => span.service))).toEqual(new Set(['gateway', 'math', 'primes', 'factorial']));
    // The gateway's two fetches, one per subgraph, each a CLIENT span under a gateway.fetch of the same plan.
    const calls = spans.filter((s) => s.service === 'gateway' && s.kind === CLIENT);
    expect(calls).toHaveLength(2);
    const fetches = calls.map((call) => only(spans, (s) => s.spanId === call.parentSpanId, 'gateway.fetch'));
    expect(fetches.map((f) => f.name)).toEqual(['gateway.fetch', 'gateway.fetch']);
    for (const subgraph of ['math', 'primes']) {
      const server = only(spans, (s) => s.service === subgraph && s.kind === SERVER, `${subgraph} SERVER span`);
      expect(calls.map((call) => call.spanId)).toContain(server.parentSpanId);
      // Each subgraph's one BatchGetFactorials, and the factorial service's SERVER span under it.
      const batch = only(spans, (s) => s.service === subgraph && s.kind === CLIENT, `${subgraph} BatchGetFactorials`);
      expect(batch.parentSpanId).toBe(server.spanId);
      only(spans, (s) => s.service === 'factorial' && s.kind === SERVER && s.parentSpanId === batch.spanId, 'factorial SERVER span');
    }
    const digitCount = only(spans, (s) => s.name === 'primes.binomial.digitCount', 'primes.binomial.digitCount');
    expect(digitCount.attributes).toMatchObject({ 'math.n': 200, 'math.r': 100 });
  });

  it('logs a failed request with the same trace id as its spans, and its request id, in each process it reached', async () => {
    const client = traceparent();
    const requestId = `failed-${randomBytes(4).toString('hex')}`;
    const response = await fetch(`${processes.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: client.header, 'x-request-id': requestId },
      body: JSON.stringify({ query: '{ ncr(n: 5, r: 7) }' }),
    });
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');

    // Wait for every span checked below: each process exports on its own schedule, and the gateway's
    // SERVER span ends only after the response is sent.
    const spans = await receiver.waitForTrace(client.traceId, (trace) =>
      (['gateway', 'math'] as const).every((name) => trace.some((s) => s.service === name && s.kind === SERVER)),
    );
    const gatewaySpan = only(spans, (s) => s.service === 'gateway' && s.kind === SERVER, 'gateway SERVER span');
    expect(gatewaySpan.attributes['graphql.error.codes']).toEqual(['BAD_USER_INPUT']);

    for (const name of ['gateway', 'math'] as const) {
      const line = logLines(processes, name).find((l) => l.request_id === requestId);
      expect(line).toMatchObject({ level: 'info', service: name, msg: 'operation refused', codes: ['BAD_USER_INPUT'] });
      expect(line!.trace_id).toBe(gatewaySpan.traceId);
      // The line's span is one of this trace's spans in that process.
      expect(spans.filter((s) => s.service === name).map((s) => s.spanId)).toContain(line!.span_id);
    }
  });

  it('starts a sampled trace at the gateway for a client that sends no traceparent, and exports its spans', async () => {
    const requestId = `untraced-client-${randomBytes(4).toString('hex')}`;
    const response = await fetch(`${processes.gatewayUrl}/api/ncr/5/7`, { headers: { 'x-request-id': requestId } });
    expect(response.status).toBe(400);
    const deadline = Date.now() + 5000;
    let line: LogLine | undefined;
    while (!(line = logLines(processes, 'gateway').find((l) => l.request_id === requestId)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(line?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const spans = await receiver.waitForTrace(line!.trace_id!, (trace) =>
      (['gateway', 'math'] as const).every((name) => trace.some((s) => s.service === name && s.kind === SERVER)),
    );
    const root = only(spans, (s) => s.parentSpanId === '', 'root span');
    expect(root).toMatchObject({ service: 'gateway', name: 'GET /api/ncr/:n/:r', kind: SERVER });
    expect(root.attributes['http.response.status_code']).toBe(400);
    expect(line!.span_id).toBe(root.spanId);
  });
});

describe('with tracing off (the default)', () => {
  let processes: Processes;

  beforeAll(async () => {
    processes = await startProcesses({ LOG_LEVEL: 'debug' });
  });
  afterAll(async () => {
    await processes?.stopAll();
  });

  it('still gives every log line of a request one trace id and its request id, in all three processes', async () => {
    const requestId = `untraced-${randomBytes(4).toString('hex')}`;
    const response = await fetch(`${processes.gatewayUrl}/api/ncr/3001/1500`, { headers: { 'x-request-id': requestId } });
    expect(response.status).toBe(200);
    // Wait for the gateway's line: it is written after the response is sent.
    const deadline = Date.now() + 5000;
    while (!logLines(processes, 'gateway').some((l) => l.request_id === requestId) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const lines = SERVICES.flatMap((name) => logLines(processes, name).filter((l) => l.request_id === requestId));
    expect(new Set(lines.map((l) => l.service))).toEqual(new Set(SERVICES));
    const traceIds = new Set(lines.map((l) => l.trace_id));
    expect(traceIds.size).toBe(1);
    expect([...traceIds][0]).toMatch(/^[0-9a-f]{32}$/);
    expect([...traceIds][0]).not.toBe('0'.repeat(32));
  });
});
