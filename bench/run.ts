// npm run bench: every benchmark in turn (pass --quick for a short run).

import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const tsx = path.join(__dirname, '../node_modules/.bin/tsx');
const args = process.argv.slice(2);
for (const script of ['engine.ts', 'ncr.ts', 'http-integration.ts']) {
  console.log(`\n## ${script.replace('.ts', '')}\n`);
  execFileSync(tsx, [path.join(__dirname, script), ...args], { stdio: 'inherit' });
}
