// npm run bench:tuning: each tuning step of the gateway measured against the tuned stack, in one run. Every
// variant is a whole stack (processes on loopback) differing from the tuned one in one setting; all are up at
// once and loaded in turn, in rotating order, on the workload the setting affects; a copy of the tuned stack
// shows the noise floor. Prints a table and writes it to bench/results/tuning.md. Every run is bounded in time
// (about 5 minutes in all).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GatewayTuning } from './gateway-variant';
import { startProcesses, type Processes } from '../harness/processes';
import { CONNECTIONS, median, runLoad, type LoadResult, type Workload } from './load';

const CYCLES = 5;
const SECONDS = 3;
const ALL: Workload[] = ['graphql-ncr', 'graphql-aliases', 'graphql-hot', 'rest-hot'];

interface Variant {
  name: string;
  /** What the tuned stack has instead. */
  step: string;
  env?: Record<string, string>;
  tuning?: GatewayTuning;
  workloads: Workload[];
}

const VARIANTS: Variant[] = [
  { name: 'tuned', step: '', workloads: ALL },
  {
    name: 'answer cache off',
    step: 'a bounded cache of answers (RESPONSE_CACHE_MB)',
    env: { RESPONSE_CACHE_MB: '0' },
    workloads: ['graphql-hot', 'rest-hot'],
  },
  {
    name: "Apollo's own fetch to the subgraph",
    step: 'undici keep-alive connections from a bounded pool',
    tuning: { subgraphHttp: 'apollo' },
    workloads: ['graphql-ncr'],
  },
  {
    name: 'one connection to the subgraph',
    step: 'a pool of 64 connections',
    tuning: { subgraphConnections: 1 },
    workloads: ['graphql-ncr'],
  },
  {
    name: 'no document cache',
    step: "Apollo Server's document cache (parsed, validated)",
    tuning: { documentCache: false },
    workloads: ['graphql-ncr'],
  },
  {
    name: 'query plans not kept',
    step: "Apollo Gateway's query-plan cache",
    // 2^-20 MiB: one byte, less than any plan, so none is kept (lru-cache wants a whole number of bytes).
    tuning: { queryPlanCacheMiB: 2 ** -20 },
    workloads: ['graphql-aliases'],
  },
  { name: 'tuned (copy)', step: '', workloads: ALL },
];

const urlOf = (processes: Processes, workload: Workload): string =>
  workload.startsWith('rest') ? processes.gatewayUrl : `${processes.gatewayUrl}/graphql`;

async function main(): Promise<void> {
  const stacks: Processes[] = [];
  const results = new Map<string, LoadResult[]>();
  try {
    for (const variant of VARIANTS) {
      stacks.push(
        await startProcesses(
          { ...variant.env, GATEWAY_TUNING: JSON.stringify(variant.tuning ?? {}) },
          { entries: { gateway: path.join(__dirname, 'gateway-variant.ts') } },
        ),
      );
    }
    for (const [i, variant] of VARIANTS.entries())
      for (const workload of variant.workloads) await runLoad(urlOf(stacks[i]!, workload), workload, SECONDS);
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      for (let k = 0; k < VARIANTS.length; k++) {
        const i = (k + cycle) % VARIANTS.length;
        const variant = VARIANTS[i]!;
        for (const workload of variant.workloads) {
          const result = await runLoad(urlOf(stacks[i]!, workload), workload, SECONDS);
          const key = `${variant.name}|${workload}`;
          results.set(key, [...(results.get(key) ?? []), result]);
          console.log(
            `cycle ${cycle + 1} ${variant.name.padEnd(36)} ${workload.padEnd(16)} ${result.rps.toFixed(0)} req/s, p99 ${result.p99} ms, ${result.errors} errors`,
          );
        }
      }
    }
  } finally {
    for (const processes of stacks) await processes.stopAll();
  }
  const lines = [
    `Medians over ${CYCLES} cycles (${SECONDS} s runs, ${CONNECTIONS} connections); "tuned / without" is the median of each cycle's ratio.`,
    '',
    '| tuning step | without it | workload | req/s without | req/s tuned | tuned / without | p99 without | p99 tuned |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const variant of VARIANTS.slice(1)) {
    for (const workload of variant.workloads) {
      const runs = results.get(`${variant.name}|${workload}`)!;
      const tuned = results.get(`tuned|${workload}`)!;
      const ratio = median(tuned.map((t, c) => t.rps / runs[c]!.rps));
      lines.push(
        `| ${variant.step || '(noise floor: an identical stack)'} | ${variant.name} | ${workload} | ${median(runs.map((r) => r.rps)).toFixed(0)} | ` +
          `${median(tuned.map((r) => r.rps)).toFixed(0)} | ${ratio.toFixed(2)}x | ${median(runs.map((r) => r.p99))} ms | ${median(tuned.map((r) => r.p99))} ms |`,
      );
    }
  }
  const table = lines.join('\n');
  console.log(`\n${table}`);
  const date = new Date().toISOString().slice(0, 10);
  fs.writeFileSync(path.join(__dirname, 'results/tuning.md'), `# npm run bench:tuning (${date})\n\n${table}\n`);
}

void main();
