// Where the CPU time of a request goes: starts the stack (or the stock Apollo floor) with `node --cpu-prof`,
// loads it with one workload, and prints each process's busy CPU time per request, by package and by function.
//   npm run bench:profile -- [--workload graphql-ncr] [--seconds 10] [--top 12] [--floor] [--no-profile]
// (graphql-big-ncr sends ncr(10^6, 5*10^5) on one connection, one at a time: where a big answer's time goes.)
// CPU time per request comes from /proc (exact, and not inflated by the profiler); the profile says where it went.
// With --no-profile only the /proc figures are taken. Loopback only; bounded in time. The profiles stay in the
// directory it prints, for Chrome DevTools.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startProcesses } from '../harness/processes';
import { cpuMicros, option, runLoad, startFloor, type Workload } from './load';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Microseconds on the clock V8's profiler stamps samples with (CLOCK_MONOTONIC). */
const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

/** The package a frame belongs to: an npm package, a file of this project, a Node.js internal or a V8 pseudo-frame. */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + 'node_modules/'.length).split('/');
    return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
  }
  if (url.startsWith('node:')) return 'node:internal';
  return path.relative(path.resolve(__dirname, '..'), url.replace(/^file:\/\//, ''));
}

/** Busy time inside [from, to] (µs), by package and by function. `(idle)` is the only frame not counted. */
function summarise(profile: CpuProfile, from: number, to: number) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i]!;
    if (at < from || at > to) return;
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    if (functionName === '(idle)') return;
    const delta = profile.timeDeltas[i]!;
    busy += delta;
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + delta);
    const fn = `${functionName || '(anonymous)'} ${pkg}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + delta);
  });
  return { busy, byPackage, byFunction };
}

async function main(): Promise<void> {
  const floor = process.argv.includes('--floor');
  const workload = (option('workload') ?? (floor ? 'graphql-fixed' : 'graphql-ncr')) as Workload;
  const seconds = Number(option('seconds') ?? 10);
  const top = Number(option('top') ?? 12);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'profile-'));
  const profiling = !process.argv.includes('--no-profile');
  const nodeArgs = profiling ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];

  const processes: { name: string; child: ChildProcess }[] = [];
  let url: string;
  if (floor) {
    const subgraph = await startFloor(['bench/floors/stock-apollo.ts', 'subgraph'], nodeArgs);
    processes.push({ name: 'stock subgraph', child: subgraph.child });
    const gateway = await startFloor(['bench/floors/stock-apollo.ts', 'gateway', subgraph.url], nodeArgs);
    processes.push({ name: 'stock gateway', child: gateway.child });
    url = gateway.url;
  } else {
    const stack = await startProcesses({ LOG_LEVEL: 'warn' }, { nodeArgs });
    for (const name of ['factorial', 'math', 'gateway'] as const) processes.push({ name, child: stack.get(name).child });
    url = `${stack.gatewayUrl}/graphql`;
    if (workload.startsWith('rest')) url = stack.gatewayUrl;
  }

  await runLoad(url, workload, 3); // warm-up: JIT, pools, caches
  const cpuBefore = processes.map(({ child }) => cpuMicros(child.pid!));
  const from = nowMicros();
  const result = await runLoad(url, workload, seconds);
  const to = nowMicros();
  const cpu = processes.map(({ child }, i) => cpuMicros(child.pid!) - cpuBefore[i]!);
  for (const { child } of processes) child.kill('SIGTERM');
  await Promise.all(
    processes.map(({ child }) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))),
  );

  const perRequest = (micros: number) => `${(micros / result.requests).toFixed(1).padStart(7)} µs`;
  console.log(`${workload}: ${result.requests} requests in ${seconds} s (${Math.round(result.rps)} req/s), ${result.errors} errors.`);
  console.log(`CPU time per request (/proc${profiling ? ', profiler running' : ''}):`);
  processes.forEach(({ name }, i) => console.log(`  ${perRequest(cpu[i]!)}  ${name}`));
  console.log(`  ${perRequest(cpu.reduce((a, b) => a + b, 0))}  all of them\n`);
  if (!profiling) return;
  console.log(
    `Profiles: ${dir}. Busy time per request by package and by function follows; it includes time the process was descheduled.\n`,
  );
  const files = fs.readdirSync(dir);
  processes.forEach(({ name, child }, i) => {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread.
    const file = files.find((f) => f.split('.')[3] === String(child.pid) && f.split('.')[4] === '0');
    if (!file) return;
    const { busy, byPackage, byFunction } = summarise(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile, from, to);
    console.log(`== ${name}: ${perRequest(busy)} busy per request (CPU time ${perRequest(cpu[i]!).trim()})`);
    const largest = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [pkg, micros] of largest(byPackage)) console.log(`  ${perRequest(micros)}  ${pkg}`);
    console.log('  -- functions (self time)');
    for (const [fn, micros] of largest(byFunction)) console.log(`  ${perRequest(micros)}  ${fn.slice(0, 150)}`);
    console.log('');
  });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
