// npm run bench:tracing: what tracing costs. The stack as processes with tracing off (the default) and on
// (OTLP/HTTP protobuf to a sink in this process that drops everything), loaded in turn with the same GraphQL
// ncr and REST cold load; `--baseline <checkout>` adds another checkout (say, the commit before tracing) as a
// third stack, and a copy of the "tracing off" stack shows the noise floor. Loopback only; every run is bounded
// in time (about 4 minutes with a baseline).

import { createServer } from 'node:http';
import * as path from 'node:path';
import { closeHttp, listenHttp } from '../lib/http';
import { startProcesses } from '../harness/processes';
import { CONNECTIONS, median, option, runLoad, type LoadResult, type Workload } from './load';

const CYCLES = 7;
const SECONDS = 3;
const WORKLOADS: Workload[] = ['graphql-ncr', 'rest-cold'];

/** CPU seconds the three processes have used so far (process_cpu_seconds_total, worker threads included). */
async function cpuSeconds(urls: string[]): Promise<number> {
  let total = 0;
  for (const url of urls) {
    const text = await (await fetch(url)).text();
    total += Number(/^process_cpu_seconds_total (\S+)$/m.exec(text)![1]);
  }
  return total;
}

interface Run extends LoadResult {
  /** CPU milliseconds per request, summed over the three processes: steadier than throughput on a shared machine. */
  cpuMs: number;
}

async function main(): Promise<void> {
  const baselineOption = option('baseline');
  const baseline = baselineOption ? path.resolve(baselineOption) : undefined;
  let exports = 0;
  const sink = createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      exports++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  const sinkPort = await listenHttp(sink, '127.0.0.1', 0);
  const modes: { name: string; env: Record<string, string>; root?: string }[] = [
    { name: 'tracing off', env: {} },
    { name: 'tracing on', env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}` } },
    ...(baseline ? [{ name: `baseline (${path.basename(baseline)})`, env: {}, root: baseline }] : []),
    // A second, identical "tracing off" stack started last: the spread between the two is this run's noise floor.
    { name: 'tracing off (copy)', env: {} },
  ];
  // All stacks up at once, loaded in turn in short runs: drift in this machine's load hits every mode alike,
  // and each cycle's ratio to "tracing off" is taken before the median.
  const stacks = [];
  for (const mode of modes) stacks.push(await startProcesses(mode.env, { root: mode.root }));
  const results = new Map<string, Run[]>();
  try {
    for (const processes of stacks) await runLoad(`${processes.gatewayUrl}/graphql`, 'graphql-ncr', 3); // warm-up
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      for (const workload of WORKLOADS) {
        // Each cycle starts with a different stack, so that no mode always goes first.
        for (let k = 0; k < modes.length; k++) {
          const i = (k + cycle) % modes.length;
          const mode = modes[i]!;
          const processes = stacks[i]!;
          const url = workload.startsWith('rest') ? processes.gatewayUrl : `${processes.gatewayUrl}/graphql`;
          const metrics = [processes.gatewayMetricsUrl, processes.mathMetricsUrl, processes.factorialMetricsUrl];
          const cpuBefore = await cpuSeconds(metrics);
          const loaded = await runLoad(url, workload, SECONDS);
          const result = { ...loaded, cpuMs: (((await cpuSeconds(metrics)) - cpuBefore) * 1000) / loaded.requests };
          const key = `${mode.name}|${workload}`;
          results.set(key, [...(results.get(key) ?? []), result]);
          console.log(
            `cycle ${cycle} ${mode.name.padEnd(24)} ${workload.padEnd(12)} ${result.rps.toFixed(0)} req/s, p99 ${result.p99} ms, ` +
              `${result.cpuMs.toFixed(2)} CPU ms/request, ${result.errors} errors`,
          );
        }
      }
    }
  } finally {
    for (const processes of stacks) await processes.stopAll();
    await closeHttp(sink);
  }
  console.log(
    `\nmedians over ${CYCLES} cycles (${SECONDS} s runs, ${CONNECTIONS} connections); the tracing sink received ${exports} exports`,
  );
  for (const workload of WORKLOADS) {
    const off = results.get(`tracing off|${workload}`)!;
    for (const mode of modes) {
      const runs = results.get(`${mode.name}|${workload}`)!;
      const rpsRatio = median(runs.map((r, i) => r.rps / off[i]!.rps));
      const cpuRatio = median(runs.map((r, i) => r.cpuMs / off[i]!.cpuMs));
      console.log(
        `${workload.padEnd(12)} ${mode.name.padEnd(24)} ${median(runs.map((r) => r.rps))
          .toFixed(0)
          .padStart(6)} req/s (${rpsRatio.toFixed(2)}x)  ` +
          `p99 ${String(median(runs.map((r) => r.p99))).padStart(4)} ms  ${median(runs.map((r) => r.cpuMs)).toFixed(2)} CPU ms/request (${cpuRatio.toFixed(2)}x)`,
      );
    }
  }
  console.log('(x: the median of each cycle\'s ratio to "tracing off" in the same cycle)');
}

void main();
