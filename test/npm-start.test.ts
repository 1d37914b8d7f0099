// The README's run command, as a newcomer runs it: npm start, wait for ready, query, Ctrl-C, everything gone.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePorts } from '../harness/processes';
import { SERVICE_NODE_FLAGS } from '../lib/process';

const ROOT = path.resolve(__dirname, '..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('npm start runs all four processes, serves REST and GraphQL across both subgraphs, and stops all four on Ctrl-C', async () => {
  const [gateway, gatewayMetrics, math, primes, factorial, metrics] = await freePorts(6);
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      GATEWAY_PORT: String(gateway),
      GATEWAY_METRICS_PORT: String(gatewayMetrics),
      MATH_PORT: String(math),
      MATH_URL: `http://127.0.0.1:${math}/graphql`,
      PRIMES_PORT: String(primes),
      PRIMES_URL: `http://127.0.0.1:${primes}/graphql`,
      FACTORIAL_PORT: String(factorial),
      FACTORIAL_METRICS_PORT: String(metrics),
      FACTORIAL_ADDRESS: `127.0.0.1:${factorial}`,
    },
    // Its own process group, so that SIGINT to the group is what Ctrl-C in a terminal sends.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  try {
    const until = Date.now() + 60_000;
    while (!output.includes('Ready.') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain(`Open http://127.0.0.1:${gateway}/ in a browser`);
    const pids = [...output.matchAll(/started \(pid (\d+)\)/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(4);
    // Each runs node with the service flags (the image's NODE_OPTIONS says the same: below).
    for (const pid of pids) {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(argv.slice(1, 1 + SERVICE_NODE_FLAGS.length)).toEqual(SERVICE_NODE_FLAGS);
    }

    const rest = await fetch(`http://127.0.0.1:${gateway}/api/ncr/10/3`);
    expect(await rest.text()).toBe('{"input":[10,3],"ncr":120,"msg":"Success"}');
    const graphql = await fetch(`http://127.0.0.1:${gateway}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ ncr(n: 52, r: 5) binomial(n: 52, r: 5) { digitCount } }' }),
    });
    expect(await graphql.json()).toEqual({ data: { ncr: '2598960', binomial: { digitCount: 7 } } });

    process.kill(-child.pid!, 'SIGINT');
    await exited;
    for (const name of ['factorial', 'math', 'primes', 'gateway']) expect(output).toMatch(new RegExp(`\\[${name}\\].*stopped`));
    expect(pids.filter(alive)).toEqual([]);
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- npm start printed:\n${output}`);
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}, 90_000);

it('the container image runs node with the same flags as npm start', () => {
  const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  expect(/^ENV NODE_OPTIONS=(.*)$/m.exec(runtime)?.[1]).toBe(SERVICE_NODE_FLAGS.join(' '));
});
