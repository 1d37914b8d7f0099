// Generated hostile input through the gateway, with the three services as real processes: REST paths and GraphQL
// documents. Never a 5xx outside the documented codes, never a crash, never an event loop held over 100 ms by any
// service's own work (each one's eventloop_blocked_max_seconds), and every success exact.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import fc from 'fast-check';
import { ERRORS, isErrorCode } from '../../lib/errors';
import { startProcesses, type Processes } from '../../harness/processes';
import { binomial } from '../../harness/reference';

/** A registered code that is not a bug: every refusal and failure a client may see (lib/errors). */
const isCoded = (code: unknown): boolean => isErrorCode(code) && code !== 'INTERNAL_SERVER_ERROR';

let stack: Processes;
interface Stalls {
  /** Longest event-loop delay (s): it counts time the process waited for a CPU, so a busy machine raises it. */
  lag: number;
  /** Longest time (s) the loop was held while the process ran (Linux only): the stall that the service caused. */
  blocked: number | undefined;
}
/** Each service's stalls since the previous scrape (every scrape starts a new window). */
const loopStalls = async (): Promise<Record<string, Stalls>> => {
  const urls = { factorial: stack.factorialMetricsUrl, math: stack.mathMetricsUrl, gateway: stack.gatewayMetricsUrl };
  const entries = await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      const text = await (await fetch(url)).text();
      const read = (metric: string): number | undefined => {
        const line = text.split('\n').find((l) => l.startsWith(`${metric} `));
        return line === undefined ? undefined : Number(line.split(' ')[1]);
      };
      return [name, { lag: read('nodejs_eventloop_lag_max_seconds')!, blocked: read('eventloop_blocked_max_seconds') }] as const;
    }),
  );
  return Object.fromEntries(entries);
};
// Where a service cannot tell blocking from waiting (not Linux), its lag is compared with this process's: it only
// sends requests and reads answers, so a stall it sees too was the machine's.
const harnessLag = monitorEventLoopDelay({ resolution: 10 });
beforeAll(async () => {
  stack = await startProcesses();
  await loopStalls(); // start the measurement from here
  harnessLag.enable();
}, 60_000);
afterAll(() => stack.stopAll());

/** Path segments a careless or hostile client sends. */
const segment = fc.oneof(
  fc.integer({ min: -3, max: 1500 }).map(String),
  fc.constantFrom(
    '1e309',
    '-0',
    '9007199254740993',
    '10.0',
    '10.5',
    '0x10',
    '１２',
    '٣',
    'NaN',
    'Infinity',
    ' 1',
    '+5',
    '00012',
    '1_000',
    '-',
    '.',
    '2147483648',
    '1000001',
    '%00',
    '%2F',
  ),
  fc.bigInt({ min: 0n, max: 10n ** 40n }).map(String),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ minLength: 900, maxLength: 1100 }),
);

/** Valid pairs (to check exactness) mixed with hostile ones. */
const pair = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 1500 }).chain((n) => fc.tuple(fc.constant(String(n)), fc.integer({ min: 0, max: n }).map(String))),
  },
  { weight: 2, arbitrary: fc.tuple(segment, segment) },
);

it('answers thousands of generated REST paths with a documented status and, on success, the exact value', async () => {
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(pair, async ([n, r]) => {
      const response = await fetch(`${stack.gatewayUrl}/api/ncr/${encodeURIComponent(n)}/${encodeURIComponent(r)}`);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const text = await response.text();
      expect([200, 400, 404, 429, 503, 504]).toContain(response.status);
      const body = JSON.parse(text) as { input?: unknown[]; ncr: unknown; code?: string; errors?: { extensions: { code: string } }[] };
      if (response.status === 200) {
        const [nn, rr] = body.input as [number, number];
        expect(text).toBe(`{"input":[${nn},${rr}],"ncr":${binomial(nn, rr)},"msg":"Success"}`);
      } else if (response.status === 404) {
        expect(body.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
      } else {
        expect(body.ncr).toBeNull();
        expect(isCoded(body.code)).toBe(true);
        expect(ERRORS[body.code as keyof typeof ERRORS].status).toBe(response.status);
      }
    }),
    { numRuns: 2000 },
  );
  // The generator reaches both successes and refusals.
  expect(statuses.get(200)).toBeGreaterThan(400);
  expect(statuses.get(400)).toBeGreaterThan(400);
}, 120_000);

/** GraphQL documents a careless or hostile client sends. */
const document = fc.oneof(
  fc.integer({ min: 1, max: 60 }).map((d) => `{ factorials(ns: [3]) { n ${'... { '.repeat(d)}value${' }'.repeat(d)} } }`),
  fc.integer({ min: 1, max: 120 }).map((k) => `{ ${Array.from({ length: k }, (_, i) => `a${i}: ncr(n: ${i + 2}, r: 1)`).join(' ')} }`),
  fc.constantFrom(
    'fragment A on Query { ...B } fragment B on Query { ...A } { ...A }',
    'fragment A on Query { ...A } { ...A }',
    '{ __schema { types { fields { type { fields { type { name } } } } } } }',
    '{ ncr(n: 5, r: 2',
    '{ ncr(n: "5", r: 2) }',
    '{ ncr(n: 5.5, r: 2) }',
    '{ multinomial(ks: [1, 2, -3]) }',
    '{ factorials(ns: [-1, 5]) { n value } }',
    '',
    'subscription { ncr }',
    'mutation { ncr(n: 1, r: 1) }',
    '{ ncr(n: 5, r: 2) @skip(if: true) @skip(if: true) }',
  ),
  fc.integer({ min: 1, max: 20_000 }).map((length) => `{ ncr(n: 1${'0'.repeat(length)}, r: 1) }`),
  fc.integer({ min: 1, max: 50_000 }).map((length) => `{ ncr(n: 5, r: 2) # ${'x'.repeat(length)}\n }`),
  fc.tuple(fc.integer({ min: -10, max: 3000 }), fc.integer({ min: -10, max: 3000 })).map(([n, r]) => `{ ncr(n: ${n}, r: ${r}) }`),
  fc.constantFrom('query A { ncr(n: 10, r: 3) } query B { ncr(n: 11, r: 3) }', 'query A($n: Int!, $r: Int!) { ncr(n: $n, r: $r) }'),
  fc.string({ maxLength: 200 }),
  fc
    .integer({ min: 1, max: 600 })
    .map((k) => `{ factorials(ns: [${Array.from({ length: k }, (_, i) => i % 40).join(', ')}]) { n value } }`),
);

/** What else a request may carry: an operation name (perhaps one the document lacks) and variables of any shape. */
const extras = fc.record(
  {
    operationName: fc.oneof(fc.constantFrom('A', 'B', ''), fc.string({ maxLength: 20 })),
    variables: fc.oneof(
      fc.constant({ n: 5, r: 2 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })),
      fc.integer({ min: 0, max: 5000 }).map((k) => ({ ns: Array.from({ length: k }, (_, i) => i % 100) })),
    ),
  },
  { requiredKeys: [] },
);

/**
 * A value nested 1 to 40,000 deep (under the 100 KB body limit) in the variables or the extensions, written as text:
 * JSON.stringify itself overflows the stack on such a value.
 */
const nesting = fc.option(
  fc.record({
    place: fc.constantFrom('variables', 'extensions'),
    text: fc.oneof(
      fc.integer({ min: 1, max: 80 }).map((d) => `{"deep":${'['.repeat(d)}${']'.repeat(d)}}`),
      fc.integer({ min: 1, max: 40_000 }).map((d) => `{"deep":${'['.repeat(d)}${']'.repeat(d)}}`),
      fc.integer({ min: 1, max: 16_000 }).map((d) => `{"deep":${'{"a":'.repeat(d)}null${'}'.repeat(d)}}`),
    ),
  }),
  { freq: 4 },
);

it('answers thousands of generated GraphQL documents without a 5xx, with a code on every error, and exact values', async () => {
  await fc.assert(
    fc.asyncProperty(document, extras, nesting, async (query, { operationName, variables }, nested) => {
      let text = JSON.stringify({ query, operationName, variables });
      if (nested) text = `${text.slice(0, -1)},${JSON.stringify(nested.place)}:${nested.text}}`;
      const response = await fetch(`${stack.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: text,
      });
      expect(response.status).toBeLessThan(500);
      const body = (await response.json()) as { data?: Record<string, string> | null; errors?: { extensions?: { code?: string } }[] };
      for (const error of body.errors ?? []) {
        const code = error.extensions?.code ?? '';
        expect(isCoded(code)).toBe(true);
      }
      const single = operationName ? null : /^\{ ncr\(n: (\d+), r: (\d+)\) \}$/.exec(query);
      if (single && body.data) expect(body.data.ncr).toBe(binomial(Number(single[1]), Number(single[2])).toString());
    }),
    { numRuns: 1500 },
  );
}, 120_000);

it("kept serving, and no service's own work held its event loop over 100 ms", async () => {
  const stalls = await loopStalls();
  expect((await fetch(`${stack.gatewayUrl}/health`)).status).toBe(200);
  expect((await fetch(`${stack.gatewayUrl}/api/ncr/10/3`)).status).toBe(200);
  for (const name of ['factorial', 'math', 'gateway'] as const) expect(stack.get(name).child.exitCode).toBeNull();
  harnessLag.disable();
  const harnessMs = harnessLag.max / 1e6;
  const ms = (seconds: number | undefined): string => (seconds === undefined ? 'n/a' : `${(seconds * 1000).toFixed(1)} ms`);
  process.stdout.write(
    `fuzz: per service, the longest event loop held by its own work / the longest event-loop delay: ${Object.entries(stalls)
      .map(([name, { blocked, lag }]) => `${name} ${ms(blocked)} / ${ms(lag)}`)
      .join(', ')}; delay in this test process ${harnessMs.toFixed(1)} ms\n`,
  );
  if (process.platform === 'linux') for (const { blocked } of Object.values(stalls)) expect(blocked! * 1000).toBeLessThan(100);
  else for (const { lag } of Object.values(stalls)) expect(lag * 1000).toBeLessThan(Math.max(100, 2 * harnessMs));
});
