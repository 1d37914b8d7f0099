// The benchmark cannot publish a contended run, and the README's figures are the committed runs' own.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { judge, leftoverProcesses, quietness, resultsDirectory, type Calibration } from '../bench/quiet';
import { MIN_RUNS, newestSummary, publishedRuns, summarize } from '../bench/summary';
import type { Results } from '../bench/stack-results';
import { projectPath } from '../lib/config';

const calibration = (rps: number): Calibration => ({ at: '2026-12-06T10:00:00.000Z', rps, loadAverage: [0.1, 0.2, 0.3], stealPercent: 0 });

describe('a quiet machine', () => {
  it('is one whose bare floor moved at most 15% between the calibrations, with no project process left running', () => {
    expect(judge(calibration(30_000), calibration(26_000), []).quiet).toBe(true); // 13%
    const drifted = judge(calibration(30_000), calibration(25_000), []); // 17%
    expect(drifted.quiet).toBe(false);
    expect(drifted.reasons.join()).toMatch(/moved 17% between the calibrations \(30000 then 25000 req\/s; at most 15%\)/);
    expect(judge(calibration(9_000), calibration(27_000), []).quiet).toBe(false); // faster after: contended before
    const leftover = judge(calibration(30_000), calibration(30_000), ['123 node gateway/src/main.ts']);
    expect(leftover.quiet).toBe(false);
    expect(leftover.reasons.join()).toMatch(/1 project process\(es\) were already running: 123 node gateway\/src\/main.ts/);
  });

  it('is the only one whose full run is written over the committed results', () => {
    const quiet = judge(calibration(30_000), calibration(29_000), []);
    const busy = judge(calibration(30_000), calibration(20_000), []);
    expect(resultsDirectory(quiet, false)).toEqual({ dir: projectPath('bench/results'), published: true });
    expect(resultsDirectory(quiet, true)).toEqual({ dir: projectPath('bench/results/scratch'), published: false });
    expect(resultsDirectory(busy, false)).toEqual({ dir: projectPath('bench/results/scratch'), published: false });
    // The scratch directory is ignored by git: nothing there can be committed by accident.
    expect(spawnSync('git', ['check-ignore', '-q', 'bench/results/scratch/latest.md'], { cwd: projectPath('.') }).status).toBe(0);
  });

  it('finds project processes left running by someone else, and not its own children', async () => {
    // A stand-in for a stack left running: a process whose command names a floor, detached from this one (its shell exits).
    const marker = `bench/floors/leftover-${process.pid}.ts`;
    spawnSync('sh', ['-c', `${process.execPath} -e "setTimeout(() => {}, 20000)" ${marker} >/dev/null 2>&1 &`]);
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)', `bench/floors/child-${process.pid}.ts`]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const found = leftoverProcesses();
      expect(found.some((line) => line.includes(marker))).toBe(true);
      expect(found.some((line) => line.includes(`child-${process.pid}`))).toBe(false);
    } finally {
      child.kill('SIGKILL');
      for (const line of leftoverProcesses().filter((l) => l.includes(marker))) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    }
  });

  it('is not one where a project process started while the benchmark ran', async () => {
    const marker = `bench/floors/during-${process.pid}.ts`;
    // Calibrations that agree, made at once: loading the bare floor here would slow the test files running beside it.
    const calibrations = quietness(1, async () => calibration(30_000));
    await calibrations.start();
    // A test's stack started beside the benchmark, after its first calibration, and still running at its end.
    spawnSync('sh', ['-c', `${process.execPath} -e "setTimeout(() => {}, 30000)" ${marker} >/dev/null 2>&1 &`]);
    try {
      const machine = await calibrations.finish();
      expect(machine.quiet).toBe(false);
      // Other test files' stacks may start meanwhile too: the marker must be among those that started during the run.
      const started = machine.reasons.find((reason) => /project process\(es\) started during the run: /.test(reason));
      expect(started).toContain(marker);
      expect(machine.leftovers.some((line) => line.includes(marker))).toBe(true);
    } finally {
      for (const line of leftoverProcesses().filter((l) => l.includes(marker))) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    }
  });
});

it('leaves nothing running when a process that started children dies of an error', async () => {
  // A stand-in for a benchmark or a test file that throws before its teardown, with a child of its own.
  const script = `const { spawn } = require('node:child_process');
    const { killOnExit } = require('./harness/children');
    const child = killOnExit(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']));
    process.stdout.write(String(child.pid));
    setTimeout(() => { throw new Error('a benchmark that fails'); }, 300);`;
  const parent = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: projectPath('.'), encoding: 'utf8' });
  expect(parent.stderr).toMatch(/a benchmark that fails/);
  const pid = Number(parent.stdout);
  expect(pid).toBeGreaterThan(0);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const alive = (() => {
    try {
      process.kill(pid, 0);
      return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
    } catch {
      return false;
    }
  })();
  expect(alive).toBe(false);
});

describe("the README's benchmark figures", () => {
  it('come from at least three full, quiet, committed runs of one commit, and from no other', () => {
    const newest = newestSummary();
    expect(newest).toBeDefined();
    expect(newest!.runs).toBeGreaterThanOrEqual(MIN_RUNS);
    // Only full quiet runs count: a run published with --publish-anyway, or a quick one, is left out.
    const [run] = publishedRuns();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runs-'));
    const busy = judge(calibration(30_000), calibration(20_000), []);
    const runs = { a: run, b: { ...run, machine: busy }, c: { ...run, quick: true } };
    for (const [name, r] of Object.entries(runs)) fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(r));
    expect(publishedRuns(dir)).toEqual([run]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("are those runs' own: the README says what npm run bench:summary writes, and an altered figure is caught", () => {
    const check = (readme: string) =>
      spawnSync(process.execPath, ['--require', 'tsx/cjs', 'bench/summary.ts', '--check', '--readme', readme], {
        cwd: projectPath('.'),
        encoding: 'utf8',
      });
    const ok = check(projectPath('README.md'));
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    // The same README with one figure of the generated block changed.
    const text = fs.readFileSync(projectPath('README.md'), 'utf8');
    const block = text.indexOf('<!-- bench:summary:start');
    const figure = /\d+\.\d\d/.exec(text.slice(block))!;
    const at = block + figure.index;
    const altered = `${text.slice(0, at)}${(Number(figure[0]) + 0.01).toFixed(2)}${text.slice(at + figure[0].length)}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
    fs.writeFileSync(path.join(dir, 'README.md'), altered);
    const caught = check(path.join(dir, 'README.md'));
    expect(caught.status).toBe(1);
    expect(caught.stderr).toMatch(/the benchmark figures are not those of bench\/results\/runs/);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('give ranges over the runs and say when a goal was met in some runs only', () => {
    const [first] = publishedRuns();
    const run = (rps: number, ratio: number): Results => ({
      ...first!,
      rows: first!.rows.map((row) => ({ ...row, rps })),
      goals: first!.goals.map((goal) => ({ ...goal, ratio })),
    });
    const md = summarize([run(100, 0.5), run(120, 1.5), run(110, 1.0)]);
    expect(md).toMatch(/^3 full runs of `npm run bench`/);
    expect(md).toContain('| GraphQL ncr, random n <= 1000 (cold) | 100–120 |');
    expect(md).toContain('| GraphQL ncr cold / stock Apollo floor (requests/s) | 0.50–1.50 | 1.00 | >= 1.25 | in some |');
    expect(summarize([run(100, 0.5)])).toContain('**Fewer than 3 runs: not enough to publish ranges.**');
  });
});
