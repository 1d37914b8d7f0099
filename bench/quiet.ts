// Whether this machine was quiet enough for a run to be published. A busy machine does not slow every workload
// alike (a stock floor may lose 3x where the stack loses less), so ratios from a contended run mislead. Before and
// after its workloads a benchmark measures the bare node:http floor; the run is quiet when no other project process
// was running, when it started or when it ended, and the two calibrations agree within 15%. Load average and CPU steal are recorded beside
// them. A run that is not quiet, or is --quick, is written under bench/results/scratch/ (not committed), never over
// the committed results; --publish-anyway overrides that.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runLoad, startFloor } from './load';

/** The bare floor's calibrations may differ by this share of the larger one. */
export const MAX_DRIFT = 0.15;

/** Command lines that belong to a running project process, a benchmark's or a test's. */
const PROJECT_PROCESSES = [
  'services/factorial/src/main.ts',
  'subgraphs/math/src/main.ts',
  'subgraphs/primes/src/main.ts',
  'gateway/src/main.ts',
  'scripts/start.ts',
  'bench/floors/',
  'bench/load.ts',
  'redis-server',
  'jest',
  'autocannon',
  'chromium',
];

export interface Calibration {
  /** When it started (ISO 8601). */
  at: string;
  /** Requests/s of the bare node:http floor. */
  rps: number;
  /** The 1, 5 and 15 minute load averages, when it started. */
  loadAverage: number[];
  /** The share of CPU time stolen by the hypervisor while it ran, in percent. */
  stealPercent: number;
}

export interface Machine {
  cpus: number;
  before: Calibration;
  after: Calibration;
  /** (before - after) / max(before, after), in [0, 1]. */
  drift: number;
  /** Project processes (pid and command) not its own, running when the benchmark started or when it ended. */
  leftovers: string[];
  quiet: boolean;
  /** Why it is not quiet (empty when it is). */
  reasons: string[];
}

/** Project processes running now that are not this process or its descendants. */
export function leftoverProcesses(): string[] {
  const found: string[] = [];
  const parents = new Map<number, number>();
  const commands = new Map<number, string>();
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      commands.set(pid, fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim());
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      parents.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // It exited while we looked.
    }
  }
  const ours = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p && hops < 64; p = parents.get(p), hops++) if (p === process.pid) return true;
    return false;
  };
  for (const [pid, command] of commands) {
    if (!ours(pid) && PROJECT_PROCESSES.some((mark) => command.includes(mark))) found.push(`${pid} ${command.slice(0, 160)}`);
  }
  return found;
}

/** The CPU counters of /proc/stat's first line: total jiffies and stolen ones. */
function cpuTimes(): { total: number; steal: number } {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice: guest time is already in user and nice.
  const total = fields.slice(0, 8).reduce((sum, v) => sum + v, 0);
  return { total, steal: fields[7] ?? 0 };
}

/** The bare node:http floor, loaded for `seconds` in a process of its own, with the machine's load beside it. */
export async function calibrate(seconds: number): Promise<Calibration> {
  const at = new Date().toISOString();
  const loadAverage = os.loadavg().map((v) => Math.round(v * 100) / 100);
  const floor = await startFloor([path.join(__dirname, 'floors/bare-http.ts')]);
  try {
    await runLoad(floor.url, 'get', 1); // warm-up
    const start = cpuTimes();
    const { rps } = await runLoad(floor.url, 'get', seconds);
    const end = cpuTimes();
    const stealPercent = end.total > start.total ? (100 * (end.steal - start.steal)) / (end.total - start.total) : 0;
    return { at, rps, loadAverage, stealPercent: Math.round(stealPercent * 100) / 100 };
  } finally {
    floor.child.kill('SIGKILL');
  }
}

/**
 * The verdict on a run, from its calibrations and the project processes found when it started (`leftovers`) and, not
 * among them, when it ended (`appeared`: a test or a stack started beside it meanwhile).
 */
export function judge(before: Calibration, after: Calibration, leftovers: string[], appeared: string[] = []): Machine {
  const drift = Math.abs(before.rps - after.rps) / Math.max(before.rps, after.rps, 1);
  const reasons: string[] = [];
  if (leftovers.length > 0) reasons.push(`${leftovers.length} project process(es) were already running: ${leftovers.join('; ')}`);
  if (appeared.length > 0) reasons.push(`${appeared.length} project process(es) started during the run: ${appeared.join('; ')}`);
  if (drift > MAX_DRIFT) {
    reasons.push(
      `the bare node:http floor moved ${(100 * drift).toFixed(0)}% between the calibrations (${before.rps.toFixed(0)} then ${after.rps.toFixed(0)} req/s; at most ${100 * MAX_DRIFT}%)`,
    );
  }
  return { cpus: os.cpus().length, before, after, drift, leftovers: [...leftovers, ...appeared], quiet: reasons.length === 0, reasons };
}

/**
 * A benchmark's calibrations: `start()` before its workloads, `finish()` after them. `measure` takes one (the bare
 * floor under load; a test passes its own, so as not to load the machine its neighbours run on).
 */
export function quietness(
  seconds: number,
  measure: (seconds: number) => Promise<Calibration> = calibrate,
): { start(): Promise<void>; finish(): Promise<Machine> } {
  let before: Calibration | undefined;
  let leftovers: string[] = [];
  return {
    async start() {
      leftovers = leftoverProcesses();
      before = await measure(seconds);
      process.stdout.write(`  calibration: bare node:http ${before.rps.toFixed(0)} req/s, load ${before.loadAverage.join(' ')}\n`);
    },
    async finish() {
      const after = await measure(seconds);
      // A process found at the start is reported once; a pid reused meanwhile is reported as new.
      const appeared = leftoverProcesses().filter((process) => !leftovers.includes(process));
      const machine = judge(before!, after, leftovers, appeared);
      process.stdout.write(`  calibration after: ${after.rps.toFixed(0)} req/s (drift ${(100 * machine.drift).toFixed(1)}%)\n`);
      return machine;
    },
  };
}

/**
 * Where a run's results go: bench/results/ when the run is full and quiet (or --publish-anyway), else
 * bench/results/scratch/, which git ignores. Says which on stdout.
 */
export function resultsDirectory(machine: Machine, quick: boolean): { dir: string; published: boolean } {
  const anyway = process.argv.includes('--publish-anyway');
  const published = anyway || (machine.quiet && !quick);
  const dir = path.join(__dirname, published ? 'results' : 'results/scratch');
  fs.mkdirSync(dir, { recursive: true });
  if (!machine.quiet) {
    process.stdout.write(`\n  NOT QUIET: ${machine.reasons.join('; ')}.\n`);
    process.stdout.write(anyway ? '  Published anyway (--publish-anyway).\n' : '  The committed results are left alone.\n');
  } else if (quick && !anyway) {
    process.stdout.write('\n  --quick: a short run; the committed results are left alone.\n');
  }
  return { dir, published };
}

/**
 * Writes a benchmark's report as `name` in `dir` (the run's results directory), and a copy in its runs/ stamped with
 * the run's end (every run is kept: the README's ranges are over them). Returns the report's path in the project.
 */
export function writeReport(dir: string, machine: Machine, name: string, text: string): string {
  fs.writeFileSync(path.join(dir, name), text);
  fs.mkdirSync(path.join(dir, 'runs'), { recursive: true });
  const stamp = machine.after.at.replace(/[:.]/g, '-');
  fs.writeFileSync(path.join(dir, 'runs', `${stamp}-${name}`), text);
  return path.relative(path.join(__dirname, '..'), path.join(dir, name));
}

/** The commit measured, with '+changes' when files that run in a benchmark (not results, tests or Markdown) differ from it. */
export function measuredCommit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: path.join(__dirname, '..'), encoding: 'utf8' }).trim();
  try {
    const changed = git('status', '--porcelain', '--', '.', ':!bench/results', ':!test', ':!*.md').length > 0;
    return `${git('rev-parse', '--short', 'HEAD')}${changed ? '+changes' : ''}`;
  } catch {
    return 'unknown';
  }
}

/** The machine's lines of a results file: the calibrations, the load, the steal and the verdict. */
export function machineMarkdown(machine: Machine): string {
  const line = (c: Calibration) =>
    `${c.rps.toFixed(0)} req/s at ${c.at.slice(11, 19)} UTC (load ${c.loadAverage.join(' ')}; steal ${c.stealPercent.toFixed(1)}%)`;
  return [
    `Machine: ${machine.cpus} CPUs. Bare node:http floor before the workloads: ${line(machine.before)}; after: ${line(machine.after)}; drift ${(100 * machine.drift).toFixed(1)}% (at most ${100 * MAX_DRIFT}%).`,
    machine.quiet ? 'Verdict: quiet.' : `Verdict: NOT QUIET (${machine.reasons.join('; ')}): not comparable with quiet runs.`,
  ].join(' ');
}
