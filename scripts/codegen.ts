// Regenerates every generated file (ts-proto, GraphQL resolver types, the supergraph), or with --check fails on drift.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { composeServices } from '@apollo/composition';
import { generate } from '@graphql-codegen/cli';
import { parse } from 'graphql';
import { parse as parseYaml } from 'yaml';
import codegenConfig from '../codegen';

const ROOT = path.resolve(__dirname, '..');

/** One generator: writes its files below `outRoot` (the repository, or a scratch copy to compare). */
interface Target {
  name: string;
  /** Paths, relative to the repository, that the target owns. */
  outputs: string[];
  generate(outRoot: string): Promise<void>;
}

const targets: Target[] = [
  {
    name: 'proto',
    outputs: ['generated/proto'],
    async generate(outRoot) {
      const out = path.join(outRoot, 'generated/proto');
      fs.rmSync(out, { recursive: true, force: true });
      const buf = path.join(ROOT, 'node_modules/.bin/buf');
      execFileSync(buf, ['generate', '--template', 'buf.gen.yaml', '--output', outRoot], { cwd: ROOT, stdio: 'inherit' });
    },
  },
  {
    name: 'graphql',
    outputs: Object.keys(codegenConfig.generates),
    async generate(outRoot) {
      const files = (await generate({ ...codegenConfig, cwd: ROOT }, false)) as { filename: string; content: string }[];
      for (const file of files) writeFile(path.join(outRoot, file.filename), file.content);
    },
  },
  {
    name: 'compose',
    outputs: ['supergraph.graphql'],
    async generate(outRoot) {
      writeFile(path.join(outRoot, 'supergraph.graphql'), composeSupergraph());
    },
  },
];

/** Composes supergraph.graphql from the subgraphs that supergraph.yaml (rover's format) lists. */
function composeSupergraph(): string {
  const config = parseYaml(fs.readFileSync(path.join(ROOT, 'supergraph.yaml'), 'utf8')) as {
    subgraphs: Record<string, { routing_url: string; schema: { file: string } }>;
  };
  const services = Object.entries(config.subgraphs).map(([name, subgraph]) => ({
    name,
    url: subgraph.routing_url,
    typeDefs: parse(fs.readFileSync(path.join(ROOT, subgraph.schema.file), 'utf8')),
  }));
  const result = composeServices(services);
  if (result.errors) throw new Error(`composition failed:\n  ${result.errors.map((e) => e.message).join('\n  ')}`);
  return `${result.supergraphSdl}\n`;
}

function writeFile(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const selected = targets.filter((t) => !only || t.name === only);
  if (selected.length === 0) throw new Error(`--only takes one of ${targets.map((t) => t.name).join(', ')}, but got: ${String(only)}`);

  if (!check) {
    for (const target of selected) {
      await target.generate(ROOT);
      console.log(`codegen: ${target.name} -> ${target.outputs.join(', ')}`);
    }
    return;
  }

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'codegen-check-'));
  const drift: string[] = [];
  try {
    for (const target of selected) {
      await target.generate(scratch);
      for (const output of target.outputs) drift.push(...compare(path.join(ROOT, output), path.join(scratch, output), output));
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  if (drift.length > 0) {
    console.error(`generated files drift from their sources:\n  ${drift.join('\n  ')}\nrun \`npm run codegen\` and commit the result`);
    process.exit(1);
  }
  console.log(`codegen: ${selected.map((t) => t.name).join(', ')} up to date`);
}

/** Paths (relative) that differ between the committed and the freshly generated tree or file. */
function compare(committed: string, fresh: string, label: string): string[] {
  const list = (p: string): string[] =>
    fs.existsSync(p)
      ? fs.statSync(p).isDirectory()
        ? fs.readdirSync(p, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(p, f)).isFile())
        : ['']
      : [];
  const names = new Set([...list(committed), ...list(fresh)]);
  const differing: string[] = [];
  for (const name of names) {
    const a = path.join(committed, name);
    const b = path.join(fresh, name);
    const same = fs.existsSync(a) && fs.existsSync(b) && fs.readFileSync(a).equals(fs.readFileSync(b));
    if (!same) differing.push(name ? path.join(label, name) : label);
  }
  return differing.sort();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
