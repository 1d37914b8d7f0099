// GET /: a page a person opens, saying what this is and where to go, rather than a bare 404.

/** The page, for a gateway whose Sandbox is on (development) or off (production). */
export function homePage(sandbox: boolean): string {
  const example = '/api/ncr/52/5';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Exact nCr over GraphQL Federation and gRPC</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
  code { background: #f3f3f3; padding: 0 .25em; border-radius: 3px; }
  li { margin: .4rem 0; }
</style>
</head>
<body>
<h1>Exact n choose r</h1>
<p>A GraphQL federated API over a gRPC factorial service: exact integers of any size, batched, observable and safe.</p>
<ul>
  <li><a href="/graphql">/graphql</a>: the GraphQL endpoint${
    sandbox
      ? ' (open it in a browser for Apollo Sandbox, which loads its page from Apollo&rsquo;s CDN)'
      : ' (POST <code>{"query": "{ ncr(n: 52, r: 5) }"}</code> with <code>content-type: application/json</code>)'
  }</li>
  <li><a href="${example}">${example}</a>: the REST route, the tutorial&rsquo;s JSON; <a href="${example}?ncr=string">${example}?ncr=string</a> for the exact value as a string</li>
  <li><a href="/api/openapi.json">/api/openapi.json</a>: the REST route&rsquo;s OpenAPI 3.1 description</li>
</ul>
<p>Offline, or without a browser: <code>curl -s localhost:4000${example}</code>, or
<code>curl -s localhost:4000/graphql -H 'content-type: application/json' -d '{"query":"{ ncr(n: 52, r: 5) }"}'</code>.</p>
</body>
</html>
`;
}
