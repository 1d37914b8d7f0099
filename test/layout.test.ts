// The module boundaries, checked on every import of the tree: services never load GraphQL, subgraphs reach the
// factorial service only through its client module, the gateway reaches neither, and a module folder (one with an
// index.ts) is entered through its index only.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

const ROOT = path.resolve(__dirname, '..');

/** Every TypeScript file of the project, by path from the root, with its text. */
function projectFiles(): Map<string, string> {
  const listed = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '*.ts'], { cwd: ROOT, encoding: 'utf8' });
  const files = new Map<string, string>();
  for (const file of listed.split('\n')) {
    if (file && fs.existsSync(path.join(ROOT, file))) files.set(file, fs.readFileSync(path.join(ROOT, file), 'utf8'));
  }
  return files;
}

/** The specifiers a file imports (import, export from, import(), require()), with `import type` left out: it loads nothing. */
function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  const pattern =
    /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const match of source.matchAll(pattern)) {
    if (match[2]) continue;
    const specifier = match[3] ?? match[4] ?? match[5];
    if (specifier) specifiers.push(specifier);
  }
  return specifiers;
}

/** A relative specifier resolved to a project file, or undefined. */
function resolve(files: Map<string, string>, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  return [`${base}.ts`, `${base}/index.ts`, base].find((candidate) => files.has(candidate));
}

/** Module folders: a folder with an index.ts, under lib/ or services/. */
function moduleFolders(files: Map<string, string>): string[] {
  return [...files.keys()].filter((f) => /^(lib|services)\/.+\/index\.ts$/.test(f)).map((f) => path.posix.dirname(f));
}

const isTest = (file: string): boolean => file.endsWith('.test.ts');
const GRAPHQL_PACKAGES = /^(graphql|@apollo\/|@as-integrations\/|@escape\.tech\/graphql-armor)/;

/** Every broken rule, as "file: what it did". */
export function layoutViolations(files: Map<string, string>): string[] {
  const violations: string[] = [];
  const modules = moduleFolders(files);
  const graph = new Map<string, { packages: string[]; local: string[] }>();
  for (const [file, source] of files) {
    const specifiers = importsOf(source);
    graph.set(file, {
      packages: specifiers.filter((s) => !s.startsWith('.')),
      local: specifiers.map((s) => resolve(files, file, s)).filter((s): s is string => s !== undefined),
    });
  }
  // Packages a file loads, itself or through the project files it imports.
  const loaded = new Map<string, Set<string>>();
  const packagesLoadedBy = (file: string, visiting = new Set<string>()): Set<string> => {
    const known = loaded.get(file);
    if (known) return known;
    const packages = new Set(graph.get(file)?.packages ?? []);
    visiting.add(file);
    for (const next of graph.get(file)?.local ?? []) {
      if (!visiting.has(next)) for (const p of packagesLoadedBy(next, visiting)) packages.add(p);
    }
    visiting.delete(file);
    loaded.set(file, packages);
    return packages;
  };

  for (const [file, { local }] of graph) {
    if (isTest(file)) continue;
    for (const target of local) {
      if (file.startsWith('subgraphs/') && target.startsWith('services/') && target !== 'services/factorial/client/index.ts') {
        violations.push(`${file}: imports ${target}; subgraphs reach the factorial service only through services/factorial/client`);
      }
      if (file.startsWith('subgraphs/') && target.startsWith('gateway/')) violations.push(`${file}: imports the gateway (${target})`);
      if (file.startsWith('gateway/') && (target.startsWith('subgraphs/') || target.startsWith('services/'))) {
        violations.push(`${file}: imports ${target}; the gateway speaks HTTP to the subgraphs`);
      }
      if (file.startsWith('services/factorial/client/') && target.startsWith('services/factorial/src/')) {
        violations.push(`${file}: imports ${target}; the client never imports the server`);
      }
      if ((file.startsWith('bench/') || file.startsWith('scripts/') || file.startsWith('harness/')) && target.startsWith('test/')) {
        violations.push(`${file}: imports ${target}; what bench/ and scripts/ share with the tests lives in harness/`);
      }
      const module = modules.filter((m) => target.startsWith(`${m}/`)).sort((a, b) => b.length - a.length)[0];
      if (module && !file.startsWith(`${module}/`) && target !== `${module}/index.ts`) {
        violations.push(`${file}: imports ${target}; ${module} is entered through its index.ts`);
      }
    }
    if (file.startsWith('services/')) {
      const graphql = [...packagesLoadedBy(file)].filter((p) => GRAPHQL_PACKAGES.test(p));
      if (graphql.length > 0) violations.push(`${file}: loads ${graphql.join(', ')}; nothing under services/ loads GraphQL`);
    }
  }
  return violations.sort();
}

describe('the module boundaries', () => {
  const files = projectFiles();

  it('hold for every import in the tree', () => {
    expect(layoutViolations(files)).toEqual([]);
  });

  it.each([
    [
      'subgraphs/math/src/math.ts',
      "import { FactorialStore } from '../../../services/factorial/src/factorial-store';",
      'services/factorial/client',
    ],
    [
      'subgraphs/math/src/math.ts',
      "import { FactorialBatches } from '../../../services/factorial/client/batches';",
      'through its index.ts',
    ],
    ['gateway/src/server.ts', "import { MathService } from '../../subgraphs/math/src/math';", 'speaks HTTP'],
    ['services/factorial/src/engine.ts', "import { badInput } from '../../../lib/graphql';", 'nothing under services/ loads GraphQL'],
    ['services/factorial/client/channel.ts', "import { warmUp } from '../src/engine';", 'never imports the server'],
    ['lib/math/bytes.ts', "import { logger } from '../observability/logger';", 'through its index.ts'],
  ])('fail when %s gains `%s`', (file, line, complaint) => {
    const mutated = new Map(files);
    mutated.set(file, `${line}\n${files.get(file)!}`);
    expect(layoutViolations(mutated).join('\n')).toContain(complaint);
  });
});
