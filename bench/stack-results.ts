// What one run of npm run bench writes: latest.md, latest.json and latest.svg, and a copy of the JSON in runs/, under
// bench/results/ for a full quiet run, under bench/results/scratch/ (ignored by git) for any other (see quiet.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { type LoadResult } from './load';
import { machineMarkdown, resultsDirectory, writeReport, type Machine } from './quiet';

export interface Row extends LoadResult {
  name: string;
  /** CPU time per request of every process the workload goes through, µs. */
  cpuMicros: number;
  /** ...and of its front process alone (the gateway, or the floor's server), µs. */
  frontCpuMicros: number;
  /** BatchGetFactorials calls per operation each subgraph executed ('-' when no operation reached it). */
  callsPerOperation: { math: string; primes: string };
}

/** One run of the big operations: end to end, in-process with the subgraph's arithmetic, and GMP's own binomial. */
export interface BigRun {
  ncr: number;
  ncrInProcess: number;
  /** mpz_bin_uiui + mpz_get_str of the same ncr, ms (undefined without the GMP addon). */
  ncrGmp: number | undefined;
  factorial: number;
  factorialInProcess: number;
}

export type Results = {
  date: string;
  /** The commit measured (git's short hash, '+changes' with uncommitted changes). */
  commit: string;
  node: string;
  arithmetic: string;
  quick: boolean;
  secondsPerWorkload: number;
  rounds: number;
  connections: number;
  rows: Row[];
  big: BigRun[];
  compression: { api: string; encoding: string; bytes: number; ms: number }[];
  peakRssMiB: Record<string, number>;
  goals: { what: string; ratio: number; goal: string }[];
  durationSeconds: number;
  /** The calibrations before and after, and the verdict: whether the run may be published. */
  machine: Machine;
};

export function writeResults(results: Results): void {
  const { dir, published } = resultsDirectory(results.machine, results.quick);
  const md = [
    `# Benchmark results`,
    ``,
    machineMarkdown(results.machine),
    ``,
    `${results.date}, commit ${results.commit}, Node ${results.node}, ${results.connections} connections, ${results.secondsPerWorkload} s per workload in ${results.rounds} interleaved rounds (ratios: medians of per-round ratios)${results.quick ? ' (--quick)' : ''}, autocannon in a process of its own; every server on loopback in its own process.`,
    ``,
    `| workload | requests/s | p50 ms | p99 ms | CPU µs per request | of which its gateway (or front server) | errors | BatchGetFactorials calls per operation: math | primes |`,
    `| --- | --: | --: | --: | --: | --: | --: | --: | --: |`,
    ...results.rows.map(
      (r) =>
        `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.cpuMicros.toFixed(0)} | ${r.frontCpuMicros.toFixed(0)} | ${r.errors} | ${r.callsPerOperation.math} | ${r.callsPerOperation.primes} |`,
    ),
    ``,
    `CPU per request: the CPU time (user + system, /proc) of every process the workload goes through, over its requests: the gateway, the subgraphs and the factorial service for this stack, for the peers and the ceiling, and for Apollo Gateway with nothing added (all of which share the subgraphs); the two processes of the stock floor.`,
    ``,
    `Big results' arithmetic (the subgraph's workers and the in-process column alike): ${results.arithmetic}.`,
    ``,
    `End to end: from sending the operation to the answer's last byte, uncompressed (\`accept-encoding: identity\`; what compression adds is in the next table).`,
    ``,
    `| run | ncr(10^6, 5·10^5) end to end ms | in-process ms (engine + decimal) | ratio | GMP mpz_bin_uiui + decimal ms | end to end / GMP | factorial(10^5) end to end ms | in-process ms |`,
    `| --: | --: | --: | --: | --: | --: | --: | --: |`,
    ...results.big.map(
      (b, i) =>
        `| ${i + 1} | ${b.ncr.toFixed(0)} | ${b.ncrInProcess.toFixed(0)} | ${(b.ncr / b.ncrInProcess).toFixed(2)} | ${b.ncrGmp?.toFixed(0) ?? '-'} | ${b.ncrGmp ? (b.ncr / b.ncrGmp).toFixed(2) : '-'} | ${b.factorial.toFixed(0)} | ${b.factorialInProcess.toFixed(0)} |`,
    ),
    ``,
    `| ncr(10^6, 5·10^5), on the wire | encoding | bytes | share | ms to the last byte |`,
    `| --- | --- | --: | --: | --: |`,
    ...results.compression.map((c) => {
      const plain = results.compression.find((p) => p.api === c.api && p.encoding === 'identity')!;
      return `| ${c.api} | ${c.encoding} | ${c.bytes} | ${((100 * c.bytes) / plain.bytes).toFixed(1)}% | ${c.ms.toFixed(0)} |`;
    }),
    ``,
    `| goal (this run) | measured | goal | met |`,
    `| --- | --: | --- | --- |`,
    ...results.goals.map(
      (g) => `| ${g.what} | ${Number.isFinite(g.ratio) ? g.ratio.toFixed(2) : '-'} | ${g.goal} | ${meets(g.ratio, g.goal) ?? '-'} |`,
    ),
    ``,
    `| process | peak RSS MiB |`,
    `| --- | --: |`,
    ...Object.entries(results.peakRssMiB).map(([name, mib]) => `| ${name} | ${mib.toFixed(0)} |`),
    ``,
    `Calls per operation: each subgraph's BatchGetFactorials calls over the operations it executed while the workload ran (from its own metrics; '-' where none reached it). Below 1 are operations that needed no call (ncr(n, 0), ncr(n, n), or only big factorials' prime exponents the subgraph kept); above 1 would mean a split batch.`,
    ``,
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'latest.md'), md);
  fs.writeFileSync(path.join(dir, 'latest.svg'), chart(results.rows));
  // Kept in runs/ too: the README's ranges are over the published runs (npm run bench:summary).
  writeReport(dir, results.machine, 'latest.json', `${JSON.stringify(results, null, 2)}\n`);
  const where = path.relative(path.join(__dirname, '..'), dir);
  process.stdout.write(`\n${md}\nwritten to ${where}/latest.{md,json,svg} and ${where}/runs/ in ${results.durationSeconds.toFixed(0)} s\n`);
  if (published) process.stdout.write('published: run npm run bench:summary for the ranges over the published runs\n');
}

/** Whether `value` meets a goal written '>= x' or '<= x': 'yes', 'no', or undefined (no goal, or no value). */
export function meets(value: number, goal: string): 'yes' | 'no' | undefined {
  const match = /^(>=|<=) ([\d.]+)/.exec(goal);
  if (!match || !Number.isFinite(value)) return undefined;
  const bound = Number(match[2]);
  return (match[1] === '>=' ? value >= bound : value <= bound) ? 'yes' : 'no';
}

/** A horizontal bar chart of requests/s, one bar per workload, labelled with its p99. */
function chart(rows: Row[]): string {
  const width = 900;
  const barArea = 380;
  const rowHeight = 34;
  const height = 60 + rows.length * rowHeight;
  const max = Math.max(...rows.map((r) => r.rps));
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const bars = rows
    .map((r, i) => {
      const y = 44 + i * rowHeight;
      const w = Math.max(1, (r.rps / max) * barArea);
      const color = r.name.startsWith('floor')
        ? '#9aa5b1'
        : r.name.startsWith('peer') || r.name.startsWith('ceiling')
          ? '#f59e0b'
          : '#3b82f6';
      return (
        `<text x="${width - barArea - 20}" y="${y + 15}" text-anchor="end" font-size="13">${escape(r.name)}</text>` +
        `<rect x="${width - barArea - 10}" y="${y}" width="${w.toFixed(1)}" height="22" fill="${color}"/>` +
        `<text x="${width - barArea - 4 + w}" y="${y + 15}" font-size="12">${r.rps.toFixed(0)}/s, p99 ${r.p99} ms</text>`
      );
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width + 140}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="24" font-size="16" font-weight="bold">Requests per second (grey: floors; orange: peer gateways and the Rust ceiling on this stack's subgraphs; blue: this stack)</text>
${bars}
</svg>
`;
}
