// npm run test:compose: builds the images, starts the compose stack, smoke-tests it through the published gateway
// port (GraphQL, REST, one large ncr, every process's blocking metric, calls reaching both factorial replicas),
// stops one replica and checks that requests still succeed, then tears everything down. Needs a Docker engine
// (on this machine: shared/tools/local-docker.sh).

import { execFileSync } from 'node:child_process';
import { binomialModPrime } from '../harness/reference';
import { freePort } from '../harness/processes';

const PROJECT = 'ggf-compose-test';

function composeCommand(): string[] {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return ['docker', 'compose'];
  } catch {
    return ['docker-compose'];
  }
}

const [bin, ...pre] = composeCommand();
/** Runs a compose command and returns its output. */
const compose = (args: string[], env: NodeJS.ProcessEnv = process.env): string =>
  execFileSync(bin!, [...pre, '-p', PROJECT, ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
/** Runs a compose command with its output shown as it comes (builds print a lot). */
const composeShown = (args: string[], env: NodeJS.ProcessEnv = process.env): void => {
  execFileSync(bin!, [...pre, '-p', PROJECT, ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
};

function step(text: string): void {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${text}`);
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`failed: ${what}`);
  step(`ok: ${what}`);
}

async function graphql(base: string, query: string): Promise<Record<string, string>> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: Record<string, string>; errors?: unknown };
  if (!body.data) throw new Error(`${query}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** The containers of a compose service. */
const containers = (service: string): string[] => compose(['ps', '-q', service]).trim().split('\n').filter(Boolean);

/** A container's /metrics, read inside it: only the gateway's port is published. */
function metricsInside(id: string, port: number): string {
  const script = `fetch('http://127.0.0.1:${port}/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))`;
  return execFileSync('docker', ['exec', id, 'node', '-e', script], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
}

/** A GraphQL POST sent from inside a container to its own gateway: its x-cache and x-cache-tier, and its data. */
function graphqlInside(id: string, query: string): { cache: string; tier: string; data: unknown } {
  const script = `fetch('http://127.0.0.1:4000/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(
    JSON.stringify({ query }),
  )} }).then(async (r) => process.stdout.write(JSON.stringify({ cache: r.headers.get('x-cache'), tier: r.headers.get('x-cache-tier'), data: (await r.json()).data })))`;
  return JSON.parse(execFileSync('docker', ['exec', id, 'node', '-e', script], { encoding: 'utf8' })) as {
    cache: string;
    tier: string;
    data: unknown;
  };
}

/** BatchGetFactorials calls each factorial replica has answered. */
function callsPerReplica(): number[] {
  return containers('factorial').map((id) =>
    metricsInside(id, 9464)
      .split('\n')
      .filter((line) => line.startsWith('grpc_server_handled_total') && line.includes('BatchGetFactorials'))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0),
  );
}

const started = Date.now();

async function main(): Promise<void> {
  const port = await freePort();
  const env = { ...process.env, GATEWAY_PORT: String(port) };
  const base = `http://127.0.0.1:${port}`;
  try {
    step(`building and starting (${[bin, ...pre].join(' ')}, gateway on ${port})`);
    composeShown(['up', '-d', '--build'], env);
    // Docker's own health status of the gateways (their HEALTHCHECK asks /ready), not a request through the port:
    // while the containers start, docker-proxy accepts connections they cannot serve yet.
    const until = Date.now() + 180_000;
    const health = (id: string) =>
      execFileSync('docker', ['inspect', '--format', '{{.State.Health.Status}}', id], { encoding: 'utf8' }).trim();
    while (containers('gateway').length < 2 || !containers('gateway').every((id) => health(id) === 'healthy')) {
      if (Date.now() > until) throw new Error('the gateways were not healthy within 180 s');
      execFileSync('sleep', ['1']);
    }
    // The balancer may start just after them.
    while (
      !(await fetch(`${base}/health`)
        .then((r) => r.ok)
        .catch(() => false))
    ) {
      if (Date.now() > until) throw new Error('the balancer did not answer within 180 s');
      execFileSync('sleep', ['1']);
    }
    step('both gateway replicas ready behind the balancer');
    // Which arithmetic the image's math subgraph uses for big results (the GMP addon if the build could compile it).
    const arithmetic = /big results: [^"]*/.exec(compose(['logs', '--no-color', 'math']))?.[0] ?? 'big results: (not logged)';
    step(`math subgraph: ${arithmetic}`);

    check((await graphql(base, '{ ncr(n: 52, r: 5) }')).ncr === '2598960', 'GraphQL ncr(52, 5) = 2598960');
    const crossing = (await graphql(base, '{ binomial(n: 100, r: 50) { value digitCount } }')) as unknown as {
      binomial: { value: string; digitCount: number };
    };
    check(
      crossing.binomial.value === '100891344545564193334812497256' && crossing.binomial.digitCount === 30,
      'a plan across both subgraphs: binomial(100, 50) { value digitCount } from math and primes',
    );
    check((await (await fetch(`${base}/api/ncr/10/3`)).text()) === '{"input":[10,3],"ncr":120,"msg":"Success"}', 'REST /api/ncr/10/3');
    const big = (await graphql(base, '{ ncr(n: 1000000, r: 500000) }')).ncr!;
    check(
      big.length === 301_027 && BigInt(big) % 1_000_003n === binomialModPrime(1_000_000, 500_000, 1_000_003n),
      'ncr(10^6, 5*10^5): 301,027 digits, and its residue mod 1,000,003 matches an independent computation',
    );

    // The event-loop blocking metric reads /proc/thread-self/stat: it must work inside the images too.
    const blocked = [
      ...containers('factorial').map((id) => metricsInside(id, 9464)),
      metricsInside(containers('math')[0]!, 4001),
      metricsInside(containers('primes')[0]!, 4002),
      metricsInside(containers('gateway')[0]!, 9465),
    ].map((text) => /^eventloop_blocked_max_seconds (\S+)$/m.exec(text)?.[1]);
    check(
      blocked.every((value) => value !== undefined && Number(value) >= 0),
      `every process exports eventloop_blocked_max_seconds (${blocked.join(', ')})`,
    );

    // An answer computed through one replica is a hit, from Redis, on the other.
    const [replicaA, replicaB] = containers('gateway');
    const computed = graphqlInside(replicaA!, '{ ncr(n: 4321, r: 1234) }');
    let shared = graphqlInside(replicaB!, '{ ncr(n: 4321, r: 1234) }');
    for (let i = 0; i < 50 && shared.tier !== 'redis'; i++) {
      // Redis may still be connecting on the second replica: ask another operation through both.
      execFileSync('sleep', ['0.2']);
      graphqlInside(replicaA!, `{ ncr(n: ${5000 + i}, r: 3) }`);
      shared = graphqlInside(replicaB!, `{ ncr(n: ${5000 + i}, r: 3) }`);
    }
    check(
      computed.cache === 'miss' && shared.cache === 'hit' && shared.tier === 'redis',
      `an answer computed through one gateway replica (x-cache: ${computed.cache}) is a hit from Redis on the other (x-cache: ${shared.cache}, x-cache-tier: ${shared.tier})`,
    );

    for (let i = 0; i < 20; i++) await graphql(base, `{ ncr(n: ${300 + i}, r: 7) }`);
    const calls = callsPerReplica();
    check(calls.length === 2 && calls.every((c) => c > 0), `calls reached both factorial replicas (${calls.join(' and ')})`);

    const [, second] = containers('factorial');
    execFileSync('docker', ['stop', second!], { stdio: 'ignore' });
    step('stopped one factorial replica');
    let succeeded = 0;
    for (let i = 0; i < 20; i++) {
      const data = await graphql(base, `{ ncr(n: ${400 + i}, r: 9) }`).catch(() => undefined);
      if (data?.ncr) succeeded++;
    }
    check(succeeded === 20, `requests still succeed with one replica (${succeeded} of 20)`);
    step('all checks passed');
  } finally {
    composeShown(['down', '-v', '--remove-orphans'], env);
    step('torn down');
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
