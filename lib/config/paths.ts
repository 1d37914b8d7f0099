// Where the project's non-code files (proto, schema, supergraph) are, whether running from source or from dist/.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** The nearest folder above this file that holds package.json: the project root, from lib/ or dist/lib/ alike. */
export const PROJECT_ROOT = ((): string => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
})();

/** A path inside the project, from its root. */
export function projectPath(...segments: string[]): string {
  return path.join(PROJECT_ROOT, ...segments);
}
