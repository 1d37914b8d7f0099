// One autocannon run in a process of its own (so the load generator never shares a server's CPU time); prints JSON.
//   tsx bench/load.ts '<LoadSpec as JSON>'

import autocannon from 'autocannon';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import { cpuMsFromStat } from '../lib/observability';
import { killOnExit } from '../harness/children';

export type Workload =
  | 'get'
  | 'graphql-fixed'
  | 'graphql-ncr'
  | 'graphql-hot'
  | 'graphql-aliases'
  | 'graphql-federated'
  | 'graphql-big-ncr'
  | 'rest-hot'
  | 'rest-cold';

export interface LoadSpec {
  url: string;
  workload: Workload;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
}

const random = (max: number) => Math.floor(Math.random() * (max + 1));
const NCR = 'query ($n: Int!, $r: Int!) { ncr(n: $n, r: $r) }';
/** A plan across both subgraphs: math resolves binomial and its value, primes the digit count of the same entity. */
const FEDERATED = 'query ($n: Int!, $r: Int!) { binomial(n: $n, r: $r) { value digitCount } }';
const ALIASES = `query (${Array.from({ length: 10 }, (_, i) => `$n${i}: Int!, $r${i}: Int!`).join(', ')}) { ${Array.from({ length: 10 }, (_, i) => `a${i}: ncr(n: $n${i}, r: $r${i})`).join(' ')} }`;

function pair(): [number, number] {
  const n = 2 + random(998);
  return [n, 1 + random(n - 2)];
}

let sent = 0;

/** The request autocannon sends next, fresh arguments each time where the workload wants them. */
function nextRequest(workload: Workload): { method: 'GET' | 'POST'; path?: string; body?: string } {
  switch (workload) {
    case 'get':
      return { method: 'GET' };
    case 'graphql-fixed':
      return { method: 'POST', body: JSON.stringify({ query: '{ hello }' }) };
    case 'graphql-ncr': {
      const [n, r] = pair();
      return { method: 'POST', body: JSON.stringify({ query: NCR, variables: { n, r } }) };
    }
    case 'graphql-hot':
      return { method: 'POST', body: JSON.stringify({ query: NCR, variables: { n: 500, r: 250 } }) };
    case 'graphql-federated': {
      const [n, r] = pair();
      return { method: 'POST', body: JSON.stringify({ query: FEDERATED, variables: { n, r } }) };
    }
    case 'graphql-aliases': {
      const variables: Record<string, number> = {};
      for (let i = 0; i < 10; i++) [variables[`n${i}`], variables[`r${i}`]] = pair();
      return { method: 'POST', body: JSON.stringify({ query: ALIASES, variables }) };
    }
    case 'graphql-big-ncr':
      // An alias of its own each time: the gateway's cache of answers would otherwise serve every one after the first.
      return { method: 'POST', body: JSON.stringify({ query: `{ r${sent++}: ncr(n: 1000000, r: 500000) }` }) };
    case 'rest-hot':
      return { method: 'GET', path: '/api/ncr/500/250' };
    case 'rest-cold': {
      const [n, r] = pair();
      return { method: 'GET', path: `/api/ncr/${n}/${r}` };
    }
  }
}

/** Connections a load keeps open, unless it says otherwise. */
export const CONNECTIONS = 32;

/**
 * Runs one load with this file in a child process and returns its figures. Default: CONNECTIONS, but 1 for
 * graphql-big-ncr (big answers one at a time: the latency of one, and the CPU each costs).
 */
export async function runLoad(
  url: string,
  workload: Workload,
  seconds: number,
  connections = workload === 'graphql-big-ncr' ? 1 : CONNECTIONS,
): Promise<LoadResult> {
  const spec: LoadSpec = { url, workload, connections, seconds };
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), __filename, JSON.stringify(spec)],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout) as LoadResult;
}

/** Starts a floor server (bench/floors) in its own process, with `nodeArgs` for node; resolves with its URL. */
export function startFloor(args: string[], nodeArgs: string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const child = killOnExit(
    spawn(process.execPath, [...nodeArgs, '--require', require.resolve('tsx/cjs'), ...args], {
      cwd: path.resolve(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  return new Promise((resolve, reject) => {
    // Apollo prints notices on stdout too: the floor's own line is the JSON one.
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{')) resolve({ url: (JSON.parse(line) as { url: string }).url, child });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

/** CPU time (user + system, worker threads included) a process has used so far, in µs, from /proc. */
export function cpuMicros(pid: number): number {
  return cpuMsFromStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')) * 1000;
}

/** The value after `--name` on the command line. */
export function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** The middle value (the upper middle of an even count); NaN of none. */
export function median(values: number[]): number {
  return values.length ? [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]! : NaN;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]!) as LoadSpec;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, ...nextRequest(spec.workload) }) }],
  });
  const out: LoadResult = {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.non2xx + result.timeouts,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (require.main === module) void main();
