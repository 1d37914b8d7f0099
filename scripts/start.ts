// npm start: runs the factorial service, the math and primes subgraphs and the gateway locally, with prefixed logs, until Ctrl-C.

import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { prettyFactory } from 'pino-pretty';
import { urlHost } from '../lib/http';
import { SERVICE_NODE_FLAGS } from '../lib/process';

const ROOT = path.resolve(__dirname, '..');
const SERVICES = [
  { name: 'factorial', entry: 'services/factorial/src/main.ts', color: 36 },
  { name: 'math', entry: 'subgraphs/math/src/main.ts', color: 35 },
  { name: 'primes', entry: 'subgraphs/primes/src/main.ts', color: 32 },
  { name: 'gateway', entry: 'gateway/src/main.ts', color: 33 },
] as const;
const READY_TIMEOUT_MS = 60_000;

const children = new Map<string, ChildProcess>();
let stopping = false;
let exitCode = 0;

// The services write JSON lines (pino); here they are made readable, one line each, unless LOG_FORMAT=json.
const pretty =
  process.env.LOG_FORMAT === 'json'
    ? undefined
    : prettyFactory({
        colorize: process.stdout.isTTY,
        singleLine: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,service',
      });

function format(line: string): string {
  return pretty && line.startsWith('{') ? pretty(line).trimEnd() : line;
}

function label(name: string, color: number): string {
  const text = `[${name}]`.padEnd(12);
  return process.stdout.isTTY ? `\x1b[${color}m${text}\x1b[0m` : text;
}

function start(): void {
  for (const service of SERVICES) {
    // One node process per service (tsx's require hook, not its CLI wrapper), so signals reach it directly.
    const child = spawn(
      process.execPath,
      [...SERVICE_NODE_FLAGS, '--require', require.resolve('tsx/cjs'), path.join(ROOT, service.entry)],
      {
        cwd: ROOT,
        // npm start is for development: Sandbox, introspection and suggestions, unless NODE_ENV says otherwise.
        env: { NODE_ENV: 'development', ...process.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: Ctrl-C reaches only this script, which forwards one SIGTERM to each.
        detached: true,
      },
    );
    children.set(service.name, child);
    const prefix = label(service.name, service.color);
    process.stdout.write(`${prefix} started (pid ${child.pid})\n`);
    for (const stream of [child.stdout!, child.stderr!]) {
      readline.createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix} ${format(line)}\n`));
    }
    child.on('exit', (code, signal) => {
      children.delete(service.name);
      if (!stopping) {
        console.error(`${prefix} exited unexpectedly (${signal ?? `code ${code}`}); stopping the others`);
        exitCode = 1;
        stop();
      } else if (code !== 0) {
        exitCode = 1;
      }
      if (children.size === 0) process.exit(exitCode);
    });
  }
}

function stop(): void {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
}

async function waitUntilReady(): Promise<void> {
  const port = process.env.GATEWAY_PORT || '4000';
  const base = `http://${urlHost(process.env.HOST || '127.0.0.1')}:${port}`;
  const until = Date.now() + READY_TIMEOUT_MS;
  while (!stopping && Date.now() < until) {
    try {
      const response = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) {
        console.log(
          `\nReady. Open ${base}/ in a browser to compute C(n, r) (it works offline), ${base}/graphiql for GraphiQL\n` +
            `(offline too), or ${base}/graphql for Apollo Sandbox (from Apollo's CDN); or try:\n` +
            `  curl ${base}/api/ncr/10/3\n` +
            `  curl ${base}/graphql -H 'content-type: application/json' -d '{"query":"{ ncr(n: 10, r: 3) }"}'\n` +
            `Ctrl-C stops all four.\n`,
        );
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!stopping) {
    console.error(`the gateway was not ready within ${READY_TIMEOUT_MS / 1000} s; stopping`);
    exitCode = 1;
    stop();
  }
}

process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// If this script dies some other way, take the children with it.
process.on('exit', () => {
  for (const child of children.values()) child.kill('SIGKILL');
});
start();
void waitUntilReady();
