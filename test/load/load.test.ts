// npm run test:load: 256 concurrent heavy-but-legal operations mixed with small ones, against the stack as local
// processes with its default settings. Every answer exact or coded with a registered code, none later than the
// request's budget plus a second; the small requests' p99 and each process's peak RSS reported, the RSS under its
// Kubernetes memory limit. Loopback only; bounded in count and time.

import * as fs from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { isErrorCode } from '../../lib/errors';
import { startProcesses, type Processes, type ServiceName } from '../../harness/processes';
import { binomial, binomialModPrime } from '../../harness/reference';

const HEAVY = 256;
const SMALL_CLIENTS = 16;
const BUDGET_MS = 30_000;
const SERVICES: ServiceName[] = ['factorial', 'math', 'gateway'];

interface Result {
  kind: string;
  ms: number;
  /** 'ok', a registered code, or what was wrong. */
  outcome: string;
  wrong?: string;
}

/** The memory limit of each service's container in deploy/k8s, in MiB. */
function memoryLimitsMiB(): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const file of fs.readdirSync('deploy/k8s').filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(fs.readFileSync(`deploy/k8s/${file}`, 'utf8'))) {
      const manifest = doc.toJS() as {
        kind?: string;
        metadata?: { name: string };
        spec?: { template?: { spec?: { containers?: { resources?: { limits?: { memory?: string } } }[] } } };
      };
      const memory = manifest.kind === 'Deployment' ? manifest.spec?.template?.spec?.containers?.[0]?.resources?.limits?.memory : undefined;
      if (memory) limits[manifest.metadata!.name] = Number(/^(\d+)Mi$/.exec(memory)?.[1] ?? Number(/^(\d+)Gi$/.exec(memory)![1]) * 1024);
    }
  }
  return limits;
}

const peakRssMiB = (pid: number): number => Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const randomInt = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

it('keeps every promise under 256 concurrent heavy operations mixed with small ones', async () => {
  const stack: Processes = await startProcesses({ LOG_LEVEL: 'warn' });
  try {
    const url = `${stack.gatewayUrl}/graphql`;
    // References, computed once here with the independent implementation.
    const workerBound = new Map(Array.from({ length: 50 }, (_, i) => [10_000 + i, binomial(10_000 + i, 5000).toString()]));
    let central: string | undefined;

    const graphql = async (kind: string, query: string, check: (data: Record<string, string>) => string | undefined): Promise<Result> => {
      const started = performance.now();
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
        });
        const body = (await response.json()) as { data?: Record<string, string> | null; errors?: { extensions?: { code?: string } }[] };
        const ms = performance.now() - started;
        const code = body.errors?.[0]?.extensions?.code;
        if (body.errors)
          return isErrorCode(code) && code !== 'INTERNAL_SERVER_ERROR'
            ? { kind, ms, outcome: code }
            : { kind, ms, outcome: 'wrong', wrong: `code ${code}` };
        const wrong = check(body.data!);
        return wrong ? { kind, ms, outcome: 'wrong', wrong } : { kind, ms, outcome: 'ok' };
      } catch (error) {
        return { kind, ms: performance.now() - started, outcome: 'wrong', wrong: String(error) };
      }
    };

    // The heavy operations: each within every limit, each admitted on an idle stack.
    const heavy = (): Promise<Result> => {
      const pick = Math.random();
      if (pick < 0.6) {
        // 50 results of six digits that need 100 distinct factorials up to 200,000 (the issue's workload).
        const ns = Array.from({ length: 50 }, () => randomInt(150_000, 200_000));
        const query = `{ ${ns.map((n, i) => `a${i}: ncr(n: ${n}, r: 1)`).join(' ')} }`;
        return graphql('heavy: 50 x ncr(n <= 200000, 1)', query, (data) =>
          ns.every((n, i) => data[`a${i}`] === String(n)) ? undefined : 'a wrong ncr(n, 1)',
        );
      }
      if (pick < 0.9) {
        // 50 results of about 3,000 digits, each built on a worker thread.
        const ns = [...workerBound.keys()];
        const query = `{ ${ns.map((n, i) => `a${i}: ncr(n: ${n}, r: 5000)`).join(' ')} }`;
        return graphql('heavy: 50 x ncr(10000+i, 5000)', query, (data) =>
          ns.every((n, i) => data[`a${i}`] === workerBound.get(n)) ? undefined : 'a wrong ncr(10000+i, 5000)',
        );
      }
      // One result of 301,030 digits.
      return graphql('heavy: ncr(10^6, 5*10^5)', '{ c: ncr(n: 1000000, r: 500000) }', (data) => {
        central ??= data.c;
        return data.c === central && data.c!.length === 301_027 ? undefined : 'a wrong ncr(10^6, 5*10^5)';
      });
    };

    const small = (): Promise<Result> => {
      const n = randomInt(0, 60);
      const r = randomInt(0, n);
      return graphql('small', `{ ncr(n: ${n}, r: ${r}) }`, (data) =>
        data.ncr === binomial(n, r).toString() ? undefined : 'a wrong small ncr',
      );
    };

    const started = Date.now();
    let heavyDone = false;
    const smallResults: Result[] = [];
    const smallLoad = Array.from({ length: SMALL_CLIENTS }, async () => {
      while (!heavyDone && Date.now() - started < 120_000) smallResults.push(await small());
    });
    const heavyResults = await Promise.all(Array.from({ length: HEAVY }, heavy));
    heavyDone = true;
    await Promise.all(smallLoad);
    const elapsed = (Date.now() - started) / 1000;

    // The one 10^6-scale answer, checked once against an independent residue.
    if (central) expect(BigInt(central) % 1_000_003n).toBe(binomialModPrime(1_000_000, 500_000, 1_000_003n));

    const all = [...heavyResults, ...smallResults];
    const summary: Record<string, Record<string, number>> = {};
    for (const result of all) {
      summary[result.kind] ??= {};
      summary[result.kind]![result.outcome] = (summary[result.kind]![result.outcome] ?? 0) + 1;
    }
    const smallMs = smallResults
      .filter((r) => r.outcome === 'ok')
      .map((r) => r.ms)
      .sort((a, b) => a - b);
    const p = (q: number) => smallMs[Math.min(smallMs.length - 1, Math.floor(q * smallMs.length))] ?? NaN;
    const limits = memoryLimitsMiB();
    const rss = Object.fromEntries(SERVICES.map((name) => [name, peakRssMiB(stack.get(name).child.pid!)]));
    const slowest = Math.max(...all.map((r) => r.ms));
    process.stdout.write(
      `\nload: ${HEAVY} heavy operations at once and ${SMALL_CLIENTS} small clients, ${elapsed.toFixed(1)} s\n` +
        `answers: ${JSON.stringify(summary)}\n` +
        `small requests answered: ${smallMs.length}, p50 ${p(0.5).toFixed(0)} ms, p99 ${p(0.99).toFixed(0)} ms; slowest answer of all ${slowest.toFixed(0)} ms\n` +
        `peak RSS (MiB): ${SERVICES.map((name) => `${name} ${rss[name]!.toFixed(0)} of ${limits[name]}`).join(', ')}\n`,
    );

    expect(
      all
        .filter((r) => r.outcome === 'wrong')
        .map((r) => r.wrong)
        .slice(0, 5),
    ).toEqual([]);
    expect(slowest).toBeLessThan(BUDGET_MS + 1000);
    expect(heavyResults.filter((r) => r.outcome === 'ok').length).toBeGreaterThan(0);
    expect(smallMs.length).toBeGreaterThan(0);
    for (const name of SERVICES) expect(rss[name]).toBeLessThan(limits[name]!);
    for (const name of SERVICES) expect(stack.get(name).child.exitCode).toBeNull();
  } finally {
    await stack.stopAll();
  }
}, 300_000);
