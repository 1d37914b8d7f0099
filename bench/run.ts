// npm run bench: the stack against its floors (writes bench/results/latest.*), then the engine, ncr and fleet benchmarks.
// --quick shortens every run. The HTTP integration comparison is separate: npm run bench:http.

import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const args = process.argv.slice(2);
for (const script of ['stack.ts', 'engine.ts', 'ncr.ts', 'fleet.ts']) {
  console.log(`\n## ${script.replace('.ts', '')}\n`);
  execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(__dirname, script), ...args], { stdio: 'inherit' });
}
