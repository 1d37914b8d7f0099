// GraphiQL, the GraphQL Foundation's IDE, from the gateway itself: the README's example operations open as tabs,
// the schema's documentation comes from introspection (on where the explorer is), headers are editable.

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { projectPath } from '../../../lib/config';

/** A tab GraphiQL opens with. */
export interface ExplorerTab {
  readonly query: string;
  readonly variables?: string;
}

/** The folder of example operations, one per .graphql file (the README's, and the home page's). */
export const EXAMPLES_FOLDER = projectPath('examples/operations');

/** Each example operation, by file name order; a `# variables: {...}` line gives its tab's variables. */
export function readExampleOperations(folder = EXAMPLES_FOLDER): ExplorerTab[] {
  return readdirSync(folder)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => {
      const query = readFileSync(path.join(folder, file), 'utf8');
      const variables = /^# variables: (.+)$/m.exec(query)?.[1];
      return variables ? { query, variables } : { query };
    });
}

/** JSON safe inside a <script> element: no "</script>" or "<!--" can close or confuse it. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/** The explorer's HTML: GraphiQL's styles and scripts, then its start-up script, which reads the config element. */
export function explorerPage(options: { endpoint: string; assets: string; tabs: readonly ExplorerTab[] }): string {
  const config = { endpoint: options.endpoint, tabs: options.tabs };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · Exact nCr</title>
<link rel="stylesheet" href="${options.assets}/graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script id="graphiql-config" type="application/json">${scriptJson(config)}</script>
<script src="${options.assets}/react.production.min.js"></script>
<script src="${options.assets}/react-dom.production.min.js"></script>
<script src="${options.assets}/graphiql.min.js"></script>
<script src="${options.assets}/explorer.js"></script>
</body>
</html>
`;
}
