// How deep a client's JSON may nest, checked once at the edge of every HTTP server, on the text, before anything walks
// the value: every later walk (list counting, cache keys, representations, JSON.stringify) then recurses at most this
// deep. JSON.parse itself is iterative in V8; JSON.stringify and graphql-js's walks are not, and a 40,000-deep array
// (80 KB) overflowed the stack in them.

import type { FastifyInstance } from 'fastify';

/** Deepest nesting of arrays and objects admitted in a request's JSON (a body, or GET's variables and extensions). */
export const MAX_JSON_DEPTH = 64;

/** The error a too-deep value raises: a 400 the HTTP layer answers with BAD_REQUEST. */
export class JsonTooDeepError extends Error {
  readonly statusCode = 400;
  readonly code = 'JSON_TOO_DEEP';
  constructor(where: string, max: number) {
    super(`${where} nests arrays and objects deeper than ${max} levels`);
  }
}

/**
 * Whether JSON text nests arrays and objects deeper than `max`: one pass over the characters, brackets inside strings
 * ignored, stopping as soon as the bound is passed. Malformed text is left to the parser.
 */
export function jsonDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** The query-string parameters whose values are JSON (GraphQL over HTTP's GET). */
const JSON_PARAMETERS = ['variables', 'extensions'] as const;

/**
 * Refuses, with JsonTooDeepError (400), a JSON body or a GET's `variables`/`extensions` nested deeper than `max`,
 * before it is parsed or reaches a route. Bodies are parsed by Fastify's own JSON parser (with its prototype-poisoning
 * checks) once the depth is known to be safe.
 */
export function guardJsonDepth(app: FastifyInstance, max = MAX_JSON_DEPTH): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDeeperThan(body as string, max)) return done(new JsonTooDeepError('the request body', max), undefined);
    return parse(request, body as string, done);
  });
  // A callback hook, not an async one: no promise on every request of every route.
  app.addHook('preValidation', (request, _reply, done) => {
    const query = request.query as Record<string, unknown> | undefined;
    if (request.method === 'GET' && query && typeof query === 'object') {
      for (const name of JSON_PARAMETERS) {
        const text = query[name];
        if (typeof text === 'string' && jsonDeeperThan(text, max)) return done(new JsonTooDeepError(`the ${name} parameter`, max));
      }
    }
    done();
  });
}
