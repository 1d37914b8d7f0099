// GET /: the page a person opens. It does the project's one job without curl: n and r in, the exact C(n, r) out,
// with its digit count and its factorization drawn, through the public GraphQL API (gateway/public/home.js).

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EXAMPLES_FOLDER } from './explorer';

/** The operation the page sends: the example shipped in examples/operations, so a persisted query list can hold it. */
const operation = (): string => readFileSync(path.join(EXAMPLES_FOLDER, 'Binomial.graphql'), 'utf8');

/** The page; `explorer` is the offline explorer's path where it is served. */
export function homePage(options: { explorer: string | undefined }): string {
  const example = '/api/ncr/52/5';
  const config = JSON.stringify({ endpoint: '/graphql', operationName: 'Binomial', query: operation() }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Exact nCr over GraphQL Federation and gRPC</title>
<link rel="stylesheet" href="/assets/home.css">
<script id="home-config" type="application/json">${config}</script>
<script src="/assets/home.js" defer></script>
</head>
<body>
<main>
<h1>Exact n choose r</h1>
<p>A GraphQL federated API over a gRPC factorial service: exact integers of any size, batched, observable and safe.</p>

<form id="ncr-form" novalidate>
  <div class="field">
    <label for="n">n</label>
    <input id="n" name="n" type="text" inputmode="numeric" pattern="[0-9]+" autocomplete="off" required value="100" aria-describedby="bounds">
  </div>
  <div class="field">
    <label for="r">r</label>
    <input id="r" name="r" type="text" inputmode="numeric" pattern="[0-9]+" autocomplete="off" required value="50" aria-describedby="bounds">
  </div>
  <button type="submit">Compute C(n, r)</button>
  <p id="bounds" class="hint">Whole numbers, 0 &le; r &le; n &le; 1,000,000.</p>
</form>
<p id="status" role="status" aria-live="polite"></p>

<section id="result" hidden aria-labelledby="result-title">
  <h2 id="result-title"></h2>
  <p><span id="digit-count"></span> <button id="copy" type="button">Copy the value</button></p>
  <p id="value" class="digits"></p>
  <details id="all-digits">
    <summary>Show all the digits</summary>
    <pre id="value-all" class="digits" tabindex="0"></pre>
  </details>
  <h2>Prime factorization</h2>
  <p id="factor-summary"></p>
  <figure>
    <svg id="chart" role="img" aria-labelledby="chart-caption" viewBox="0 0 640 260" preserveAspectRatio="xMidYMid meet"></svg>
    <figcaption id="chart-caption">The exponent of each prime p in C(n, r), by p.</figcaption>
  </figure>
</section>

<h2>Elsewhere</h2>
<ul>
  <li><a href="/graphql">/graphql</a>: the GraphQL endpoint${
    options.explorer
      ? ' (in a browser, Apollo Sandbox, which loads its page from Apollo&rsquo;s CDN)'
      : ' (POST <code>{"query": "{ ncr(n: 52, r: 5) }"}</code> with <code>content-type: application/json</code>)'
  }</li>${
    options.explorer
      ? `\n  <li><a href="${options.explorer}">${options.explorer}</a>: GraphiQL, served by this gateway: works offline, with the schema&rsquo;s documentation and the example operations</li>`
      : ''
  }
  <li><a href="${example}">${example}</a>: the REST route, the tutorial&rsquo;s JSON; <a href="${example}?ncr=string">${example}?ncr=string</a> for the exact value as a string</li>
  <li><a href="/api/openapi.json">/api/openapi.json</a>: the REST route&rsquo;s OpenAPI 3.1 description</li>
</ul>
<p>Without a browser: <code>curl -s localhost:4000${example}</code>, or
<code>curl -s localhost:4000/graphql -H 'content-type: application/json' -d '{"query":"{ ncr(n: 52, r: 5) }"}'</code>.</p>
</main>
</body>
</html>
`;
}
