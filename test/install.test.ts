// What npm ci leaves: every dependency install script decided in allowScripts (npm 11 skips the others, and says so
// in a way a new user reads as a failure), and what the denied scripts would have prepared working without them.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const run = (command: string, args: string[]) => spawnSync(command, args, { cwd: root, encoding: 'utf8', timeout: 60_000 });

it('leaves no dependency install script undecided (npm install-scripts ls lists none)', () => {
  const listed = run('npm', ['install-scripts', 'ls']);
  const output = `${listed.stdout}${listed.stderr}`;
  expect(output).not.toMatch(/not yet covered|install scripts not/);
  const decided = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> }).allowScripts;
  expect(Object.values(decided).every((allowed) => allowed === false)).toBe(true);
});

it("runs the binaries whose packages' install scripts are denied: buf, esbuild, jest's resolver", async () => {
  const buf = run(join(root, 'node_modules/.bin/buf'), ['--version']);
  expect(buf.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  expect((await esbuild.transform('const a: number = 1', { loader: 'ts' })).code).toBe('const a = 1;\n');
  const { ResolverFactory } = (await import('unrs-resolver')) as unknown as {
    ResolverFactory: new (options: object) => { sync(dir: string, request: string): { path?: string } };
  };
  expect(new ResolverFactory({}).sync(root, './jest.config.js').path).toBe(join(root, 'jest.config.js'));
});
