// The four services as real processes on free loopback ports, as `npm start` runs them, for chaos and shutdown tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { killOnExit } from './children';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { healthCheck } from './grpc';
import { SERVICE_NODE_FLAGS } from '../lib/process';

const ROOT = path.resolve(__dirname, '..');
const ENTRIES = {
  factorial: 'services/factorial/src/main.ts',
  math: 'subgraphs/math/src/main.ts',
  primes: 'subgraphs/primes/src/main.ts',
  gateway: 'gateway/src/main.ts',
} as const;
export type ServiceName = keyof typeof ENTRIES;

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `count` free loopback ports, taken one after another. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  return ports;
}

/**
 * Whether process `pid` holds a listening TCP socket on `port` (Linux: its descriptors against /proc/net/tcp{,6}).
 * A health check alone cannot tell: the port was free when picked, and another test's server may have taken it
 * before this process bound it, then answered its health checks. Elsewhere (no /proc) it says yes.
 */
export function listensOn(pid: number | undefined, port: number): boolean {
  if (!fs.existsSync('/proc/net/tcp')) return true;
  if (pid === undefined) return false;
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const listening = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; st 0A is LISTEN; the inode is the tenth field.
      if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A' && fields[9]) listening.add(`socket:[${fields[9]}]`);
    }
  }
  if (listening.size === 0) return false;
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return listening.has(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false; // closed meanwhile
      }
    });
  } catch {
    return false; // the process is gone
  }
}

/** Thrown when a service could not bind the port picked for it: the caller picks others and starts again. */
class PortTaken extends Error {}

export interface RunningProcess {
  child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
  output(): string;
}

export interface Processes {
  gatewayUrl: string;
  factorialAddress: string;
  /** The math subgraph's /graphql. */
  mathUrl: string;
  /** The primes subgraph's /graphql. */
  primesUrl: string;
  /** The factorial service's, the math subgraph's and the gateway's /metrics. */
  factorialMetricsUrl: string;
  mathMetricsUrl: string;
  primesMetricsUrl: string;
  gatewayMetricsUrl: string;
  get(name: ServiceName): RunningProcess;
  /** Starts a service (again); resolves when it answers. */
  start(name: ServiceName): Promise<void>;
  /** Resolves when the factorial service reports SERVING. */
  factorialServing(timeoutMs?: number): Promise<void>;
  /**
   * Starts one more gateway (a replica, on ports of its own) over the same subgraphs, with `env` added to the stack's;
   * resolves when it is ready.
   */
  startReplica(env?: Record<string, string>): Promise<{ url: string; metricsUrl: string; process: RunningProcess }>;
  /** SIGKILLs whatever still runs. */
  stopAll(): Promise<void>;
}

/**
 * Starts factorial, math and gateway on free ports with `env` added; resolves when the gateway is ready.
 * `root` runs another checkout of this project (a benchmark's baseline); default: this one. `nodeArgs` go to
 * each node process (say, `--cpu-prof`); `entries` replace a service's entry file (a benchmark's variant).
 */
export async function startProcesses(env: Record<string, string> = {}, options: StartOptions = {}): Promise<Processes> {
  // Ports are picked free, then bound by the services a second later: another test may take one meanwhile. Then the
  // service that lost it exits, and the stack starts again on other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(env, options);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt === 3) throw error;
    }
  }
}

interface StartOptions {
  root?: string;
  nodeArgs?: string[];
  entries?: Partial<Record<ServiceName, string>>;
}

async function startOnce(env: Record<string, string>, options: StartOptions): Promise<Processes> {
  const root = options.root ?? ROOT;
  const [factorialPort, metricsPort, mathPort, primesPort, gatewayPort, gatewayMetricsPort] = (await freePorts(6)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const sharedEnv = {
    ...process.env,
    LOG_LEVEL: 'warn',
    FACTORIAL_PORT: String(factorialPort),
    FACTORIAL_METRICS_PORT: String(metricsPort),
    MATH_PORT: String(mathPort),
    FACTORIAL_ADDRESS: `127.0.0.1:${factorialPort}`,
    GATEWAY_PORT: String(gatewayPort),
    GATEWAY_METRICS_PORT: String(gatewayMetricsPort),
    MATH_URL: `http://127.0.0.1:${mathPort}/graphql`,
    PRIMES_PORT: String(primesPort),
    PRIMES_URL: `http://127.0.0.1:${primesPort}/graphql`,
    ...env,
  };
  const running = new Map<ServiceName, RunningProcess>();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const factorialAddress = `127.0.0.1:${factorialPort}`;

  const replicas: RunningProcess[] = [];
  const launch = (name: ServiceName, extraEnv?: Record<string, string>): RunningProcess => {
    const entry = options.entries?.[name] ?? path.join(root, ENTRIES[name]);
    // The flags npm start and the image run the services with, then the caller's (a later flag wins).
    const args = [...SERVICE_NODE_FLAGS, ...(options.nodeArgs ?? []), '--require', require.resolve('tsx/cjs'), entry];
    const child = killOnExit(
      spawn(process.execPath, args, {
        cwd: root,
        env: extraEnv ? { ...sharedEnv, ...extraEnv } : sharedEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    const proc = { child, exited, output: () => text };
    if (extraEnv) replicas.push(proc);
    else running.set(name, proc);
    return proc;
  };

  const until = async (what: string, check: () => Promise<boolean>, timeoutMs: number, proc?: RunningProcess): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check().catch(() => false))) {
      if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null)) {
        const output = proc.output();
        if (output.includes('EADDRINUSE')) throw new PortTaken(`${what}: its port was taken`);
        throw new Error(`${what} not reached: the process exited (${proc.child.exitCode ?? proc.child.signalCode})\n${output}`);
      }
      if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  /** Its health check answers, and from the process launched: not from another that took the port first. */
  const ready = (proc: RunningProcess, port: number, healthy: () => Promise<boolean>) => async () =>
    (await healthy()) && listensOn(proc.child.pid, port);

  const processes: Processes = {
    gatewayUrl,
    factorialAddress,
    mathUrl: sharedEnv.MATH_URL,
    primesUrl: sharedEnv.PRIMES_URL,
    factorialMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    mathMetricsUrl: `http://127.0.0.1:${mathPort}/metrics`,
    primesMetricsUrl: `http://127.0.0.1:${primesPort}/metrics`,
    gatewayMetricsUrl: `http://127.0.0.1:${gatewayMetricsPort}/metrics`,
    get: (name) => running.get(name)!,
    async start(name) {
      const proc = launch(name);
      const ok = (url: string) => async () => (await fetch(url)).ok;
      if (name === 'factorial') {
        const serving = async () => (await healthCheck(factorialAddress)) === 'SERVING';
        await until('factorial SERVING', ready(proc, factorialPort, serving), 30_000, proc);
      }
      if (name === 'math') await until('math /health', ready(proc, mathPort, ok(`http://127.0.0.1:${mathPort}/health`)), 30_000, proc);
      if (name === 'primes') {
        await until('primes /health', ready(proc, primesPort, ok(`http://127.0.0.1:${primesPort}/health`)), 30_000, proc);
      }
      if (name === 'gateway') await until('gateway /ready', ready(proc, gatewayPort, ok(`${gatewayUrl}/ready`)), 30_000, proc);
    },
    async startReplica(env = {}) {
      const [port, metricsPort] = (await freePorts(2)) as [number, number];
      const proc = launch('gateway', { ...env, GATEWAY_PORT: String(port), GATEWAY_METRICS_PORT: String(metricsPort) });
      const url = `http://127.0.0.1:${port}`;
      await until(
        'replica /ready',
        ready(proc, port, async () => (await fetch(`${url}/ready`)).ok),
        30_000,
        proc,
      );
      return { url, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, process: proc };
    },
    factorialServing: (timeoutMs = 30_000) =>
      until('factorial SERVING', async () => (await healthCheck(factorialAddress)) === 'SERVING', timeoutMs),
    async stopAll() {
      for (const proc of [...replicas, ...running.values()]) {
        if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
        await proc.exited;
      }
    },
  };
  try {
    await processes.start('factorial');
    // An older checkout (a benchmark's baseline) may have no primes subgraph.
    const hasPrimes = options.entries?.primes !== undefined || fs.existsSync(path.join(root, ENTRIES.primes));
    await Promise.all([processes.start('math'), ...(hasPrimes ? [processes.start('primes')] : [])]);
    await processes.start('gateway');
  } catch (error) {
    await processes.stopAll();
    throw error;
  }
  return processes;
}
