// npm run manifest [-- <folder> <output>]: a persisted query manifest (Apollo's format, as
// @apollo/generate-persisted-query-manifest writes it) for the operations in a folder of .graphql files: each
// operation, printed with the fragments it uses, its id the SHA-256 of that body. Default: examples/operations to
// examples/persisted-query-manifest.json, the list the README's examples and the home page run under.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Kind, parse, print, visit, type DefinitionNode, type FragmentDefinitionNode } from 'graphql';
import { projectPath } from '../lib/config';
import { documentId, MANIFEST_FORMAT, type ManifestOperation } from '../gateway/src/trusted-documents';

const [folder = projectPath('examples/operations'), output = projectPath('examples/persisted-query-manifest.json')] = process.argv.slice(2);

const definitions: DefinitionNode[] = readdirSync(folder)
  .filter((file) => file.endsWith('.graphql'))
  .sort()
  .flatMap((file) => parse(readFileSync(path.join(folder, file), 'utf8')).definitions);
const fragments = new Map(
  definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
);

/** The fragments a definition uses, and theirs, by name. */
function fragmentsOf(node: DefinitionNode, seen = new Set<string>()): FragmentDefinitionNode[] {
  const used: FragmentDefinitionNode[] = [];
  visit(node, {
    FragmentSpread(spread) {
      const fragment = fragments.get(spread.name.value);
      if (!fragment || seen.has(fragment.name.value)) return;
      seen.add(fragment.name.value);
      used.push(fragment, ...fragmentsOf(fragment, seen));
    },
  });
  return used;
}

const operations: ManifestOperation[] = definitions.flatMap((definition) => {
  if (definition.kind !== Kind.OPERATION_DEFINITION) return [];
  if (!definition.name) throw new Error(`${folder}: every operation needs a name (the manifest lists them by name)`);
  const body = [definition, ...fragmentsOf(definition)].map((d) => print(d)).join('\n\n');
  return [{ id: documentId(body), name: definition.name.value, type: definition.operation, body }];
});
writeFileSync(output, `${JSON.stringify({ format: MANIFEST_FORMAT, version: 1, operations }, null, 2)}\n`);
process.stdout.write(
  `manifest: ${operations.length} operations (${operations.map((o) => o.name).join(', ')}) written to ${path.relative(process.cwd(), output)}\n`,
);
