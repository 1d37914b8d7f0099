// npm run bench:compare -- --baseline <checkout> [--workloads graphql-ncr,rest-cold] [--rounds 7] [--seconds 3]
//                          [--node-arg <flag>]...
// Did a change make the stack faster? This checkout's stack and another checkout's (say, `git worktree add
// ../base HEAD~1`, with node_modules linked) run side by side, plus a copy of this one whose spread is the run's
// noise floor. They are loaded in turn in short runs, rotating which goes first, and each ratio is the median
// of the per-round ratios: drift in a shared machine's load hits all stacks alike. Besides requests/s it
// reports CPU time per request of each process (from /proc), steadier than throughput on a busy machine.
// `--node-arg` passes a flag to this checkout's processes only (to measure a V8 or Node.js setting).
// Loopback only; bounded in time (rounds × workloads × 3 stacks × seconds, plus start-up).

import * as path from 'node:path';
import { startProcesses, type Processes, type ServiceName } from '../harness/processes';
import { cpuMicros, median, option, runLoad, type Workload } from './load';

const SERVICES: ServiceName[] = ['factorial', 'math', 'gateway'];

interface Round {
  rps: number;
  /** CPU µs per request, by service, then the sum. */
  cpu: number[];
}

async function main(): Promise<void> {
  const baseline = option('baseline');
  if (!baseline) throw new Error('usage: npm run bench:compare -- --baseline <checkout of this project>');
  const workloads = (option('workloads') ?? 'graphql-ncr,rest-cold').split(',') as Workload[];
  const rounds = Number(option('rounds') ?? 7);
  const seconds = Number(option('seconds') ?? 3);
  const nodeArgs = process.argv.flatMap((arg, i) => (arg === '--node-arg' ? [process.argv[i + 1]!] : []));

  const stacks: { name: string; processes: Processes }[] = [];
  const start = async (name: string, root: string | undefined, args: string[]): Promise<void> => {
    stacks.push({ name, processes: await startProcesses({ LOG_LEVEL: 'warn' }, { root, nodeArgs: args }) });
  };
  try {
    await start('this', undefined, nodeArgs);
    await start(`baseline (${path.basename(path.resolve(baseline))})`, path.resolve(baseline), []);
    await start('this (copy)', undefined, nodeArgs);
    const urlOf = (processes: Processes, workload: Workload) =>
      workload.startsWith('rest') ? processes.gatewayUrl : `${processes.gatewayUrl}/graphql`;
    for (const { processes } of stacks) for (const workload of workloads) await runLoad(urlOf(processes, workload), workload, 2); // warm-up

    const results = stacks.map(() => workloads.map(() => [] as Round[]));
    for (let round = 0; round < rounds; round++) {
      for (const [w, workload] of workloads.entries()) {
        for (let k = 0; k < stacks.length; k++) {
          const s = (k + round) % stacks.length;
          const { processes } = stacks[s]!;
          const pids = SERVICES.map((name) => processes.get(name).child.pid!);
          const before = pids.map(cpuMicros);
          const load = await runLoad(urlOf(processes, workload), workload, seconds);
          const cpu = pids.map((pid, i) => (cpuMicros(pid) - before[i]!) / load.requests);
          results[s]![w]!.push({ rps: load.rps, cpu: [...cpu, cpu.reduce((a, b) => a + b, 0)] });
        }
      }
      process.stderr.write(`round ${round + 1} of ${rounds} done\n`);
    }

    const columns = [...SERVICES, 'all'];
    console.log(
      `${rounds} rounds of ${seconds} s per workload and stack${nodeArgs.length ? `; this checkout runs with ${nodeArgs.join(' ')}` : ''}.`,
    );
    console.log('Ratios are medians of per-round ratios to "this": above 1 means more requests/s, or more CPU per request.\n');
    for (const [w, workload] of workloads.entries()) {
      console.log(`${workload}:`);
      console.log(`| stack | requests/s | ${columns.map((c) => `CPU µs/request ${c}`).join(' | ')} |`);
      console.log(`| --- | --: | ${columns.map(() => '--:').join(' | ')} |`);
      for (const [s, { name }] of stacks.entries()) {
        const mine = results[s]![w]!;
        const ours = results[0]![w]!;
        const cell = (value: (r: Round) => number): string => {
          const absolute = median(mine.map(value));
          if (s === 0) return absolute.toFixed(0);
          return `${absolute.toFixed(0)} (${median(mine.map((r, i) => value(r) / value(ours[i]!))).toFixed(2)}×)`;
        };
        console.log(`| ${name} | ${cell((r) => r.rps)} | ${columns.map((_, c) => cell((r) => r.cpu[c]!)).join(' | ')} |`);
      }
      console.log('');
    }
  } finally {
    for (const { processes } of stacks) await processes.stopAll();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
