// A service process that crashes: logged with its stack, not ready, and an exit code its supervisor sees.

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CRASH_EXIT_CODE } from './shutdown';

const fixture = path.join(__dirname, 'fixtures/crashing-service.ts');

describe.each([
  ['an uncaught exception', 'exception', 'something nobody caught'],
  ['an unhandled rejection', 'rejection', 'a promise nobody awaited failed'],
])('a service with %s', (_name, crash, message) => {
  it(`logs it with its stack, reports not ready, and exits ${CRASH_EXIT_CODE}`, () => {
    const run = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), fixture], {
      env: { ...process.env, CRASH: crash, LOG_LEVEL: 'info' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(CRASH_EXIT_CODE);
    const lines = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level?: string; msg: string; err?: { message: string; stack: string } });
    const fatal = lines.find((line) => line.level === 'fatal');
    expect(fatal?.err?.message).toBe(message);
    expect(fatal?.err?.stack).toContain('crashing-service.ts');
    expect(lines.map((line) => line.msg)).toContain('announced not ready');
  });
});
