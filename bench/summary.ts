// npm run bench:summary: the README's figures, from the committed runs. Reads bench/results/runs/*.json, keeps the
// full quiet runs of the newest commit measured (at least three are needed; fewer are reported as such), and writes
// the ranges over them to bench/results/summary.md and to the README, between its bench:summary markers.
//   npm run bench:summary [-- --check [--readme <file>]]   (--check: exit 1 when the README's figures are not the runs' own)

import * as fs from 'node:fs';
import * as path from 'node:path';
import { median } from './load';
import { meets, type Results, type Row } from './stack-results';

const RUNS = path.join(__dirname, 'results/runs');
const README = path.join(__dirname, '../README.md');
const START = '<!-- bench:summary:start (npm run bench:summary writes this) -->';
const END = '<!-- bench:summary:end -->';
/** Runs the README needs before it quotes ranges. */
export const MIN_RUNS = 3;

/** The published runs: full (not --quick) and quiet, oldest first. */
export function publishedRuns(dir = RUNS): Results[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Results)
    .filter((r) => !r.quick && r.machine?.quiet);
}

const range = (values: number[], digits = 0): string => {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '-';
  const [lo, hi] = [Math.min(...finite), Math.max(...finite)];
  const format = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return lo === hi ? format(lo) : `${format(lo)}–${format(hi)}`;
};

/** The summary's Markdown for `runs` (all of one commit). */
export function summarize(runs: Results[]): string {
  const last = runs[runs.length - 1]!;
  const rowsOf = (name: string): Row[] => runs.map((r) => r.rows.find((row) => row.name === name)).filter((r): r is Row => !!r);
  const names = last.rows.map((r) => r.name).filter((name) => !name.startsWith('GraphQL ncr while'));
  const lines = [
    `${runs.length} full runs of \`npm run bench\` on commit ${last.commit}, ${runs.map((r) => r.date.slice(0, 16).replace('T', ' ')).join(', ')} UTC` +
      ` (${last.machine.cpus} CPUs, Node ${last.node}; ${last.rounds} interleaved rounds of ${last.secondsPerWorkload / last.rounds} s per workload and run).` +
      ` Bare node:http floor at the runs' calibrations: ${range(runs.flatMap((r) => [r.machine.before.rps, r.machine.after.rps]))} req/s` +
      ` (drift between a run's two calibrations ${range(
        runs.map((r) => 100 * r.machine.drift),
        1,
      )}%; CPU steal ${range(
        runs.flatMap((r) => [r.machine.before.stealPercent, r.machine.after.stealPercent]),
        1,
      )}%).` +
      (runs.length < MIN_RUNS ? ` **Fewer than ${MIN_RUNS} runs: not enough to publish ranges.**` : ''),
    '',
    '| workload | requests/s | p99 ms | CPU µs per request, every process | of which the gateway |',
    '| --- | --: | --: | --: | --: |',
    ...names.map((name) => {
      const rows = rowsOf(name);
      return `| ${name} | ${range(rows.map((r) => r.rps))} | ${range(rows.map((r) => r.p99))} | ${range(rows.map((r) => r.cpuMicros))} | ${range(rows.map((r) => r.frontCpuMicros ?? NaN))} |`;
    }),
    '',
    '| goal | over the runs | median | goal | met in every run |',
    '| --- | --: | --: | --- | --- |',
    ...last.goals
      .filter((g) => g.goal !== '-')
      .map((g) => {
        const values = runs.map((r) => r.goals.find((x) => x.what === g.what)?.ratio ?? NaN);
        const verdicts = values.map((v) => meets(v, g.goal));
        const met = verdicts.every((v) => v === 'yes') ? 'yes' : verdicts.every((v) => v === 'no') ? 'no' : 'in some';
        return `| ${g.what} | ${range(values, 2)} | ${median(values.filter(Number.isFinite)).toFixed(2)} | ${g.goal} | ${met} |`;
      }),
    '',
    `ncr(10^6, 5·10^5) end to end: ${range(runs.flatMap((r) => r.big.map((b) => b.ncr)))} ms over ${runs.reduce((n, r) => n + r.big.length, 0)} timings;` +
      ` the same computation in-process ${range(runs.flatMap((r) => r.big.map((b) => b.ncrInProcess)))} ms;` +
      ` GMP's own mpz_bin_uiui and decimal conversion ${range(runs.flatMap((r) => r.big.map((b) => b.ncrGmp ?? NaN)))} ms.`,
  ];
  return lines.join('\n');
}

/** The README with `md` between the markers, formatted as prettier formats the rest of it. */
export async function readmeWith(readme: string, md: string): Promise<string> {
  const [before, rest] = [readme.indexOf(START), readme.indexOf(END)];
  if (before < 0 || rest < 0) throw new Error(`README.md lacks the markers ${START} and ${END}`);
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(README)) ?? {};
  return prettier.format(`${readme.slice(0, before + START.length)}\n\n${md}\n\n${readme.slice(rest)}`, { ...options, filepath: README });
}

/** The summary of the newest commit's published runs, and how many there are. */
export function newestSummary(): { md: string; runs: number; commit: string } | undefined {
  const all = publishedRuns();
  if (all.length === 0) return undefined;
  const commit = all[all.length - 1]!.commit;
  const runs = all.filter((r) => r.commit === commit);
  return { md: summarize(runs), runs: runs.length, commit };
}

async function main(): Promise<void> {
  const newest = newestSummary();
  if (!newest) {
    console.error('no published run in bench/results/runs: run npm run bench on a quiet machine first');
    process.exit(1);
  }
  const { md, runs, commit } = newest;
  // --readme <file>: check another copy (the test checks that an altered figure is caught).
  const at = process.argv.indexOf('--readme');
  const file = at >= 0 ? process.argv[at + 1]! : README;
  const readme = fs.readFileSync(file, 'utf8');
  const updated = await readmeWith(readme, md);
  if (process.argv.includes('--check')) {
    if (updated !== readme) {
      console.error(`${file}: the benchmark figures are not those of bench/results/runs (run npm run bench:summary)`);
      process.exit(1);
    }
    return;
  }
  fs.writeFileSync(path.join(__dirname, 'results/summary.md'), `# npm run bench:summary\n\n${md}\n`);
  fs.writeFileSync(README, updated);
  process.stdout.write(`${md}\n\nwritten to bench/results/summary.md and README.md (${runs} runs of ${commit})\n`);
  if (runs < MIN_RUNS) process.stdout.write(`fewer than ${MIN_RUNS} runs of ${commit}: run npm run bench again\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
