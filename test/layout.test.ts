// The module boundaries, checked on every import of the tree: services never load GraphQL, subgraphs reach the
// factorial service only through its client module, its server never loads its client, the gateway reaches neither,
// a module folder (one with an index.ts) is entered through its index only and exports by name, lib's families import
// in one direction, no file is over 300 lines, and only a process's entry reads the environment.

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

/** Every relative specifier a file imports, `import type` included (a circle of types is a circle of ideas). */
function allLocalImportsOf(source: string): string[] {
  const pattern = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?[^'";]*?from\s+['"](\.[^'"]+)['"]/g;
  return [...source.matchAll(pattern)].map((match) => match[1]!);
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
const isGenerated = (file: string): boolean => file.startsWith('generated/') || file.includes('/generated/');
/** Longest file, in lines, outside generated code. */
const MAX_LINES = 300;
/** Who may read or write process.env: a process's entry (main.ts), runService (which hands it to the settings readers), test fixtures. */
const mayTouchEnvironment = (file: string): boolean =>
  file.endsWith('/main.ts') || file === 'lib/process/service.ts' || file.includes('/fixtures/') || isTest(file);

/** The circles among lib's families (lib/<family>), each written a -> b -> ... -> a. */
function familyCircles(files: Map<string, string>): string[] {
  const edges = new Map<string, Set<string>>();
  for (const [file, source] of files) {
    if (!file.startsWith('lib/') || isTest(file)) continue;
    const family = file.split('/')[1]!;
    for (const specifier of allLocalImportsOf(source)) {
      const target = resolve(files, file, specifier);
      const other = target?.startsWith('lib/') ? target.split('/')[1]! : undefined;
      if (other && other !== family) (edges.get(family) ?? edges.set(family, new Set()).get(family)!).add(other);
    }
  }
  const circles = new Set<string>();
  const walk = (family: string, path: string[]): void => {
    for (const next of edges.get(family) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) {
        const circle = path.slice(at);
        // Written from its smallest name, so that each circle is listed once.
        const start = circle.indexOf([...circle].sort()[0]!);
        circles.add([...circle.slice(start), ...circle.slice(0, start), circle[start]!].join(' -> '));
      } else walk(next, [...path, next]);
    }
  };
  for (const family of edges.keys()) walk(family, [family]);
  return [...circles];
}
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
      if (file.startsWith('services/factorial/src/') && target.startsWith('services/factorial/client/')) {
        violations.push(`${file}: imports ${target}; the server never imports the client (both import the contract)`);
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
  for (const [file, source] of files) {
    const lines = source.split('\n').length - (source.endsWith('\n') ? 1 : 0);
    if (!isGenerated(file) && lines > MAX_LINES) violations.push(`${file}: ${lines} lines, over ${MAX_LINES}; split it by what it does`);
    if (/^(lib|gateway|subgraphs|services)\//.test(file) && !mayTouchEnvironment(file) && /\bprocess\.env\b/.test(source)) {
      violations.push(`${file}: reads process.env; only a process's main.ts (and runService) touches the environment`);
    }
    if (modules.some((m) => file === `${m}/index.ts`) && /^export \* from/m.test(source)) {
      violations.push(`${file}: export *; a module's index exports by name what other code uses`);
    }
  }
  for (const circle of familyCircles(files)) violations.push(`lib: the families import each other in a circle (${circle})`);
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
    ['services/factorial/src/server.ts', "import { FactorialBatches } from '../client';", 'the server never imports the client'],
    ['lib/http/errors.ts', "import type { Logger } from '../observability';", 'in a circle (http -> observability -> http)'],
    ['gateway/src/server.ts', 'const port = process.env.GATEWAY_PORT;', 'only a process'],
    ['lib/workers/index.ts', "export * from './worker-pool';", 'exports by name'],
  ])('fail when %s gains `%s`', (file, line, complaint) => {
    const mutated = new Map(files);
    mutated.set(file, `${line}\n${files.get(file)!}`);
    expect(layoutViolations(mutated).join('\n')).toContain(complaint);
  });

  it('fail when a file grows past 300 lines, but not generated code', () => {
    const mutated = new Map(files);
    mutated.set('gateway/src/server.ts', `${files.get('gateway/src/server.ts')!}${'// more\n'.repeat(300)}`);
    mutated.set('generated/proto/factorial/v1/factorial.ts', '// generated\n'.repeat(1000));
    const violations = layoutViolations(mutated).join('\n');
    expect(violations).toContain('gateway/src/server.ts: ');
    expect(violations).toContain('over 300');
    expect(violations).not.toContain('generated/proto');
  });
});
