// How the bench measures one process or request: peak RSS, the bytes and time of one answer, and load with the CPU
// every process of a target used.

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { bigintToBytes, factorial, factorialPrimeExponents, ratioOfFactorialExponentsDecimal, type NativeBignum } from '../lib/math';
import { cpuMicros, runLoad, type LoadResult, type Workload } from './load';

let gc: (() => void) | undefined;

/**
 * A full garbage collection of this process, now: V8's gc(), exposed on first use for this purpose alone (not when
 * the module is imported, so that nothing else that imports it runs with the flag).
 */
function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}

/**
 * Milliseconds `work` takes in this process, after a full garbage collection: the benchmark's own garbage (load
 * results, earlier answers) is not collected inside the timing. (A pause alone did not: the first timing after the
 * warm-up still took about twice the next ones.)
 */
function timed(work: () => unknown): number {
  collectGarbage();
  const start = performance.now();
  work();
  return performance.now() - start;
}

/**
 * The big operations' work in this process, with the arithmetic the subgraph's workers use (`native`: the GMP addon
 * when it is built, else BigInt), each timed: ncr(10^6, 5*10^5) from prime exponents to decimal, GMP's own binomial
 * and decimal conversion of the same number (the physical floor; undefined without the addon), and 10^5! to decimal.
 */
export const inProcess = {
  ncr: (native: NativeBignum | undefined): number =>
    timed(() => {
      const half = factorialPrimeExponents(500_000);
      ratioOfFactorialExponentsDecimal([factorialPrimeExponents(1_000_000)], [half, half], native);
    }),
  ncrGmp: (native: NativeBignum | undefined): number | undefined =>
    native ? timed(() => native.binomialDecimal(1_000_000, 500_000)) : undefined,
  factorial: (native: NativeBignum | undefined): number =>
    timed(() => {
      const value = factorial(100_000);
      if (native) native.bytesDecimal(bigintToBytes(value));
      else value.toString();
    }),
};

export function peakRssMiB(pid: number | undefined): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Bytes on the wire and milliseconds to the last byte of one answer, asked for with this Accept-Encoding (node:http: no decompression). */
export function fetchRaw(url: string, encoding: string, body?: string): Promise<{ bytes: number; ms: number; encoding: string }> {
  const target = new URL(url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'accept-encoding': encoding, ...(body && { 'content-type': 'application/json' }) };
    http
      .request(
        { host: target.hostname, port: target.port, path: target.pathname + target.search, method: body ? 'POST' : 'GET', headers },
        (response) => {
          let bytes = 0;
          response.on('data', (chunk: Buffer) => (bytes += chunk.length));
          response.on('end', () =>
            resolve({ bytes, ms: performance.now() - started, encoding: response.headers['content-encoding'] ?? 'identity' }),
          );
        },
      )
      .on('error', reject)
      .end(body);
  });
}

/**
 * Milliseconds from sending the operation to the answer's last byte (the client's JSON parse is not the stack's).
 * Uncompressed (`accept-encoding: identity`): the in-process computation it is compared with compresses nothing, and
 * what compression adds is measured on its own below.
 */
export async function postGraphQL(url: string, query: string): Promise<number> {
  const start = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-encoding': 'identity' },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  const ms = performance.now() - start;
  const body = JSON.parse(text) as { errors?: unknown };
  if (body.errors) throw new Error(`${query} failed: ${JSON.stringify(body.errors)}`);
  return ms;
}

/** A server under load: where to send the workload, and the processes whose CPU time one request costs. */
export interface Target {
  url: string;
  /** The front process first (the gateway, or a floor's server), then what it calls. */
  pids: () => number[];
}

/** The CPU time per request of the target's processes, from /proc, over one load: all of them, and the front one's. */
export async function loadWithCpu(
  target: Target,
  workload: Workload,
  seconds: number,
): Promise<LoadResult & { cpuMicros: number; frontCpuMicros: number }> {
  const pids = target.pids();
  const before = pids.map(cpuMicros);
  const result = await runLoad(target.url, workload, seconds);
  const used = pids.map((pid, i) => cpuMicros(pid) - before[i]!);
  const per = (micros: number) => (result.requests > 0 ? micros / result.requests : 0);
  return { ...result, cpuMicros: per(used.reduce((sum, u) => sum + u, 0)), frontCpuMicros: per(used[0]!) };
}
