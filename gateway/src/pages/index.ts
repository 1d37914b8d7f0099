// The pages a person opens: the home page (one C(n, r) computed through the public GraphQL API, its digits and its
// factorization drawn) and, where Apollo Sandbox is served, GraphiQL served by the gateway itself. Every byte they
// load comes from this gateway: they work offline, and their Content-Security-Policy says so to the browser.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { projectPath } from '../../../lib/config';
import { explorerPage, readExampleOperations } from './explorer';
import { homePage } from './home';

export interface PagesOptions {
  /** Serve GraphiQL at /graphiql (where Sandbox is served: development). */
  explorer: boolean;
}

/** The explorer's path. */
export const EXPLORER_PATH = '/graphiql';

/** Nothing from another origin: scripts and styles from this gateway, requests to this gateway only. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // GraphiQL and React set style attributes; no style is fetched from elsewhere.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

const packageFile = (name: string, file: string): string => path.join(path.dirname(require.resolve(`${name}/package.json`)), file);

/** Reads a page's static files once, at start-up (about 1.6 MB with the explorer's). */
function readAssets(files: Record<string, string>): Map<string, Asset> {
  const types: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
  return new Map(
    Object.entries(files).map(([name, file]) => [
      name,
      { body: readFileSync(file), type: types[path.extname(name)] ?? 'application/octet-stream' },
    ]),
  );
}

/** Serves `assets` under `prefix`/assets/:name, cacheable for an hour (they change only with the gateway). */
function serveAssets(app: FastifyInstance, prefix: string, assets: Map<string, Asset>): void {
  app.get<{ Params: { name: string } }>(`${prefix}/assets/:name`, async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) return reply.callNotFound();
    return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
  });
}

const sendPage = (reply: FastifyReply, html: string): FastifyReply =>
  reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-cache')
    .send(html);

/** Registers GET / (and its assets), and GET /graphiql (and GraphiQL's) when the explorer is on. */
export async function pages(app: FastifyInstance, options: PagesOptions): Promise<void> {
  const home = homePage({ explorer: options.explorer ? EXPLORER_PATH : undefined });
  serveAssets(
    app,
    '',
    readAssets({ 'home.js': projectPath('gateway/public/home.js'), 'home.css': projectPath('gateway/public/home.css') }),
  );
  app.get('/', async (_request, reply) => sendPage(reply, home));
  if (!options.explorer) return;

  const explorer = explorerPage({ endpoint: '/graphql', assets: `${EXPLORER_PATH}/assets`, tabs: readExampleOperations() });
  serveAssets(
    app,
    EXPLORER_PATH,
    readAssets({
      'graphiql.min.js': packageFile('graphiql', 'graphiql.min.js'),
      'graphiql.min.css': packageFile('graphiql', 'graphiql.min.css'),
      'react.production.min.js': packageFile('react', 'umd/react.production.min.js'),
      'react-dom.production.min.js': packageFile('react-dom', 'umd/react-dom.production.min.js'),
      'explorer.js': projectPath('gateway/public/explorer.js'),
    }),
  );
  app.get(EXPLORER_PATH, async (_request, reply) => sendPage(reply, explorer));
}
