// The ceiling: a Rust gateway on this stack's own subgraphs. Grafbase's CLI ships from npm with its gateway inside
// (`grafbase dev -c grafbase.toml`, each subgraph's url and schema_path); it composes and plans across math and
// primes offline. It is 100 MB, so it is not a dependency of the project: the first benchmark run installs the pinned
// version into bench/.peers/ (ignored by git) from the npm registry. Linux x86-64 only; elsewhere it is skipped.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { killOnExit } from '../harness/children';
import { freePort } from '../harness/processes';

export const GRAFBASE_PACKAGE = '@grafbase/cli-x86_64-unknown-linux-musl';
export const GRAFBASE_VERSION = '0.103.0';
const PEERS = path.join(__dirname, '.peers');

/** The grafbase binary, installed on first use; or why there is none. */
export function grafbaseBinary(): { binary: string } | { skipped: string } {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return { skipped: `no ${GRAFBASE_PACKAGE} for ${process.platform}-${process.arch}` };
  const binary = path.join(PEERS, 'node_modules', GRAFBASE_PACKAGE, 'grafbase');
  const installed = (): boolean => {
    try {
      return (
        (JSON.parse(fs.readFileSync(path.join(path.dirname(binary), 'package.json'), 'utf8')) as { version: string }).version ===
          GRAFBASE_VERSION && fs.existsSync(binary)
      );
    } catch {
      return false;
    }
  };
  if (!installed()) {
    fs.mkdirSync(PEERS, { recursive: true });
    if (!fs.existsSync(path.join(PEERS, 'package.json'))) fs.writeFileSync(path.join(PEERS, 'package.json'), '{ "private": true }\n');
    process.stdout.write(`  installing ${GRAFBASE_PACKAGE}@${GRAFBASE_VERSION} into bench/.peers (once)\n`);
    try {
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', PEERS, `${GRAFBASE_PACKAGE}@${GRAFBASE_VERSION}`], {
        stdio: 'ignore',
      });
    } catch (error) {
      return { skipped: `could not install ${GRAFBASE_PACKAGE}: ${(error as Error).message.split('\n')[0]}` };
    }
    if (!installed()) return { skipped: `${GRAFBASE_PACKAGE} installed no binary` };
  }
  return { binary };
}

/**
 * Grafbase's gateway in front of the given subgraphs, in a process of its own (the binary itself, so that its pid is
 * the gateway's CPU); resolves once it answers an operation that crosses both subgraphs correctly.
 */
export async function startGrafbase(
  binary: string,
  subgraphs: { math: string; primes: string },
): Promise<{ url: string; child: ChildProcess }> {
  const dir = fs.mkdtempSync(path.join(PEERS, 'run-'));
  const root = path.resolve(__dirname, '..');
  const toml = (['math', 'primes'] as const)
    .map(
      (name) =>
        `[subgraphs.${name}]\nurl = "${subgraphs[name]}"\nschema_path = "${path.join(root, 'subgraphs', name, 'schema.graphql')}"\n`,
    )
    .join('\n');
  fs.writeFileSync(path.join(dir, 'grafbase.toml'), toml);
  // The CLI takes an address, not port 0.
  const port = await freePort();
  const child = killOnExit(
    spawn(binary, ['dev', '-c', path.join(dir, 'grafbase.toml'), '--listen-address', `127.0.0.1:${port}`], { cwd: dir, stdio: 'ignore' }),
  );
  child.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ binomial(n: 30, r: 4) { value digitCount } }' }),
      });
      const body = (await response.json()) as { data?: { binomial?: { value: string; digitCount: number } } };
      if (body.data?.binomial?.value === '27405' && body.data.binomial.digitCount === 5) return { url, child };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`grafbase dev did not serve ${url} within 30 s`);
}
