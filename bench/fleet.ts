// npm run bench:fleet: the fleet's figures, in one run on this machine, loopback only, every phase bounded in time.
// 1. The cache of answers' tiers, side by side: a hit from this process's memory, a hit from Redis (an answer another
//    replica computed), and a cold answer (computed), with REDIS_URL set, through two gateway processes.
// 2. Fairness: one client flooding (32 concurrent legal operations of 9 results of ~301,000 digits each) while
//    another sends small requests; the small client's p99 unloaded, under the flood without a quota, and under it
//    with quotas on. Writes bench/results/fleet.md.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { apiKeyDigest } from '../gateway/src/clients';
import { startProcesses } from '../harness/processes';
import { redisInstalled, startRedis } from '../harness/redis';
import { machineMarkdown, quietness, resultsDirectory, writeReport } from './quiet';
import { killOnExit } from '../harness/children';

const FLOOD = 'flood-key-0123456789abcdef';
const FREE = 'free-key-0123456789abcdef';
const SMALL = 'small-key-0123456789abcdef';

interface Timed {
  ms: number;
  status: number;
}

async function post(url: string, query: string, key?: string): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key && { 'x-api-key': key }) },
    body: JSON.stringify({ query }),
  });
  await response.arrayBuffer();
  return { ms: performance.now() - started, status: response.status };
}

/** The median and 99th percentile of requests' times, in ms. */
const latencies = (timed: Timed[]): { p50: number; p99: number } => {
  const sorted = timed.map((t) => t.ms).sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { p50: at(50), p99: at(99) };
};

/** Sends `send(i)` for i = 0, 1, ..., `concurrency` at a time, while `more(i)`; their times. */
async function loop(concurrency: number, more: (i: number) => boolean, send: (i: number) => Promise<Timed>): Promise<Timed[]> {
  const results: Timed[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (more(next)) results.push(await send(next++));
    }),
  );
  return results;
}

/** `count` requests, `concurrency` at a time. */
const run = (count: number, concurrency: number, send: (i: number) => Promise<Timed>) => loop(concurrency, (i) => i < count, send);

/** Starts bench/flood-client.ts in a process of its own; resolves with its answers by status. */
function startFlood(urls: string[], key: string, concurrency: number, seconds: number, offset: number): Promise<Record<string, number>> {
  const args = [
    '--require',
    require.resolve('tsx/cjs'),
    path.join(__dirname, 'flood-client.ts'),
    urls.join(','),
    key,
    String(concurrency),
    String(seconds),
    String(offset),
  ];
  const child = killOnExit(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] }));
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) => child.on('exit', () => resolve(JSON.parse(out || '{}') as Record<string, number>)));
}

async function main(): Promise<void> {
  if (!redisInstalled()) {
    process.stdout.write('bench:fleet skipped: it needs redis-server (apt-get install redis-server)\n');
    return;
  }
  const machine = quietness(process.argv.includes('--quick') ? 2 : 5);
  await machine.start();
  const redis = await startRedis();
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'fleet-bench-'));
  const clientsFile = path.join(dir, 'clients.json');
  fs.writeFileSync(
    clientsFile,
    JSON.stringify({
      clients: [
        { name: 'flood', apiKeySha256: apiKeyDigest(FLOOD), workPerSecond: 1000, burst: 6000 },
        { name: 'unlimited', apiKeySha256: apiKeyDigest(FREE), workPerSecond: 1_000_000_000, burst: 1_000_000_000 },
        { name: 'small', apiKeySha256: apiKeyDigest(SMALL), workPerSecond: 1000, burst: 6000 },
      ],
    }),
  );
  const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'bench:', CLIENTS_FILE: clientsFile, LOG_LEVEL: 'warn' };
  const stack = await startProcesses(env);
  const b = await stack.startReplica(env);
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  try {
    await new Promise((r) => setTimeout(r, 500)); // both connected to Redis
    // 1. Tiers. 2,000 distinct small operations each way, 32 at a time.
    const count = 2000;
    const op = (base: number) => (i: number) => `{ ncr(n: ${base + i}, r: 3) }`;
    // A warm-up of every path, on operations of their own.
    await run(count, 32, (i) => post(stack.gatewayUrl, op(10_000)(i)));
    await run(count, 32, (i) => post(b.url, op(10_000)(i)));
    await run(count, 32, (i) => post(b.url, op(10_000)(i)));
    const rate = (t: Timed[], ms: number) => Math.round((t.length / ms) * 1000);
    const timed = async (label: string, go: () => Promise<Timed[]>) => {
      const started = performance.now();
      const results = await go();
      const elapsed = performance.now() - started;
      return {
        label,
        rps: rate(results, elapsed),
        ...latencies(results),
      };
    };
    // The same, timed on fresh operations (the runs above warmed every process).
    const rows = [
      await timed('cold (computed)', () => run(count, 32, (i) => post(stack.gatewayUrl, op(20_000)(i)))),
      await timed('hit from Redis (computed by the other replica)', () => run(count, 32, (i) => post(b.url, op(20_000)(i)))),
      await timed("hit from this process's memory", () => run(count, 32, (i) => post(b.url, op(20_000)(i)))),
    ];
    say(`| answer | requests/s | p50 ms | p99 ms |\n| --- | --: | --: | --: |`);
    for (const row of rows) say(`| ${row.label} | ${row.rps} | ${row.p50.toFixed(1)} | ${row.p99.toFixed(1)} |`);
    say('');

    // 2. Fairness. The flood runs in a process of its own, so that its own CPU does not delay the small client's timing.
    const small = (i: number) => `{ ncr(n: ${50_000 + i}, r: 2) }`;
    let smallNext = 0;
    let floodCount = 0;
    const phase = async (label: string, floodKey: string | undefined, seconds: number) => {
      const flood = floodKey
        ? startFlood([stack.gatewayUrl, b.url], floodKey, 32, seconds, 10_000 * ++floodCount)
        : Promise.resolve({} as Record<string, number>);
      const until = Date.now() + seconds * 1000;
      const smalls = await loop(
        2,
        () => Date.now() < until,
        () => post(smallNext % 2 ? stack.gatewayUrl : b.url, small(smallNext++), SMALL),
      );
      const floods = await flood;
      return {
        label,
        ...latencies(smalls),
        served: floods['200'] ?? 0,
        refused: floods['429'] ?? 0,
        other: Object.entries(floods).reduce((sum, [status, n]) => sum + (status === '200' || status === '429' ? 0 : n), 0),
      };
    };
    const unloaded = await phase('small client alone', undefined, 8);
    const free = await phase('under the flood, no quota for it', FREE, 12);
    await new Promise((r) => setTimeout(r, 3000)); // let the work drain
    const limited = await phase('under the flood, quotas on (1,000 units/s, burst 6,000)', FLOOD, 12);
    say(
      `quota decisions: ${(await (await fetch(stack.gatewayMetricsUrl)).text())
        .split('\n')
        .filter((l) => l.startsWith('quota_decisions_total'))
        .join('; ')}`,
    );
    say(
      `| small client's requests | p50 ms | p99 ms | p99 / unloaded | flood served | flood 429 | flood other |\n| --- | --: | --: | --: | --: | --: | --: |`,
    );
    for (const row of [unloaded, free, limited]) {
      say(
        `| ${row.label} | ${row.p50.toFixed(1)} | ${row.p99.toFixed(1)} | ${(row.p99 / unloaded.p99).toFixed(2)}× | ${row.served} | ${row.refused} | ${row.other} |`,
      );
    }
  } finally {
    await stack.stopAll();
    await redis.stop();
  }
  // Written under bench/results/ only for a full run on a quiet machine (see quiet.ts).
  const verdict = await machine.finish();
  const date = new Date().toISOString().slice(0, 10);
  const file = writeReport(
    resultsDirectory(verdict, process.argv.includes('--quick')).dir,
    verdict,
    'fleet.md',
    `# npm run bench:fleet (${date})\n\n${machineMarkdown(verdict)}\n\n${lines.join('\n')}\n`,
  );
  process.stdout.write(`\nwrote ${file}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
