// npm run bench:tracing: what tracing costs. The stack as processes with tracing off (the default) and on
// (OTLP/HTTP protobuf to a sink in this process that drops everything), in alternating rounds, each under
// the same GraphQL ncr and REST cold load; `--baseline <checkout>` adds another checkout (say, the commit
// before tracing) as a third mode. Loopback only; every run is bounded in time.

import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { closeHttp, listenHttp } from '../lib/listen';
import { startProcesses } from '../test/helpers/processes';
import type { LoadResult, LoadSpec, Workload } from './load';

const execFileAsync = promisify(execFile);
const TSX_CJS = require.resolve('tsx/cjs');
const ROUNDS = 3;
const SECONDS = 8;
const WORKLOADS: Workload[] = ['graphql-ncr', 'rest-cold'];

async function load(url: string, workload: Workload, seconds: number): Promise<LoadResult> {
  const spec: LoadSpec = { url, workload, connections: 32, seconds };
  const { stdout } = await execFileAsync(process.execPath, ['--require', TSX_CJS, path.join(__dirname, 'load.ts'), JSON.stringify(spec)]);
  return JSON.parse(stdout) as LoadResult;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

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
  const baselineAt = process.argv.indexOf('--baseline');
  const baseline = baselineAt > 0 ? path.resolve(process.argv[baselineAt + 1]!) : undefined;
  let spans = 0;
  const sink = createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      spans++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  const sinkPort = await listenHttp(sink, '127.0.0.1', 0);
  const modes: { name: string; env: Record<string, string>; root?: string }[] = [
    { name: 'tracing off', env: {} },
    { name: 'tracing on', env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}` } },
    ...(baseline ? [{ name: `baseline (${path.basename(baseline)})`, env: {}, root: baseline }] : []),
  ];
  const results = new Map<string, Run[]>();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const mode of modes) {
      const processes = await startProcesses(mode.env, { root: mode.root });
      try {
        await load(processes.gatewayUrl, 'graphql-ncr', 3); // warm-up
        for (const workload of WORKLOADS) {
          const url = workload.startsWith('rest') ? processes.gatewayUrl : `${processes.gatewayUrl}/graphql`;
          const metrics = [`${processes.gatewayUrl}/metrics`, processes.mathMetricsUrl, processes.factorialMetricsUrl];
          const cpuBefore = await cpuSeconds(metrics);
          const loaded = await load(url, workload, SECONDS);
          const result = { ...loaded, cpuMs: (((await cpuSeconds(metrics)) - cpuBefore) * 1000) / loaded.requests };
          const key = `${mode.name}|${workload}`;
          results.set(key, [...(results.get(key) ?? []), result]);
          console.log(
            `round ${round} ${mode.name.padEnd(24)} ${workload.padEnd(12)} ${result.rps.toFixed(0)} req/s, p99 ${result.p99} ms, ${result.cpuMs.toFixed(2)} CPU ms/request, ${result.errors} errors`,
          );
        }
      } finally {
        await processes.stopAll();
      }
    }
  }
  await closeHttp(sink);
  console.log(`\nmedians of ${ROUNDS} rounds (${SECONDS} s each, 32 connections); the sink received ${spans} exports`);
  for (const workload of WORKLOADS) {
    const offRuns = results.get(`tracing off|${workload}`)!;
    const off = median(offRuns.map((r) => r.rps));
    const offCpu = median(offRuns.map((r) => r.cpuMs));
    for (const mode of modes) {
      const runs = results.get(`${mode.name}|${workload}`)!;
      const rps = median(runs.map((r) => r.rps));
      const cpu = median(runs.map((r) => r.cpuMs));
      console.log(
        `${workload.padEnd(12)} ${mode.name.padEnd(24)} ${rps.toFixed(0).padStart(6)} req/s (${(rps / off).toFixed(2)}x)  ` +
          `p99 ${String(median(runs.map((r) => r.p99))).padStart(4)} ms  ${cpu.toFixed(2)} CPU ms/request (${(cpu / offCpu).toFixed(2)}x of tracing off)`,
      );
    }
  }
}

void main();
