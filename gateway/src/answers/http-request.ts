// A GraphQL request as the route reads it before Apollo Server runs: the fields of a plain query request, when it is
// one Apollo would run as it stands (its CSRF prevention included), so that a known answer can be sent at once.

/** What a lookup in the route needs of a request: Fastify's parsed body or query string, and its headers. */
export interface HttpGraphQLRequest {
  method: string;
  body: unknown;
  query: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** The fields that name an answer. */
export interface GraphQLRequestFields {
  query?: string;
  persistedQueryHash?: string;
  operationName?: string;
  variables?: unknown;
}

/** A header's value as one string (Node.js gives repeated headers as a list). */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The hash of `extensions.persistedQuery.sha256Hash`, when it is a string. */
export function persistedQueryHash(extensions: unknown): string | undefined {
  const persisted = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | null | undefined)?.persistedQuery;
  return typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Content types Apollo's CSRF prevention treats as simple (a page can send them without a preflight). */
const SIMPLE_CONTENT_TYPES = /^\s*(text\/plain|application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/**
 * The fields of a query request, if it is one Apollo would run as it stands: a POST with a JSON body, or a GET whose
 * parameters are each given once and that passes CSRF prevention (a non-simple content type, or a preflight header).
 */
export function readGraphQLRequest(request: HttpGraphQLRequest): GraphQLRequestFields | undefined {
  let query: unknown;
  let operationName: unknown;
  let variables: unknown;
  let extensions: unknown;
  if (request.method === 'POST') {
    if (!isRecord(request.body)) return undefined;
    ({ query, operationName, variables, extensions } = request.body);
  } else if (request.method === 'GET') {
    const contentType = headerValue(request.headers['content-type']);
    const preflighted =
      (contentType !== undefined && !SIMPLE_CONTENT_TYPES.test(contentType)) ||
      !!request.headers['apollo-require-preflight'] ||
      !!request.headers['x-apollo-operation-name'];
    if (!preflighted || !isRecord(request.query)) return undefined;
    ({ query, operationName } = request.query);
    const { variables: variablesText, extensions: extensionsText } = request.query;
    if (variablesText !== undefined && typeof variablesText !== 'string') return undefined;
    if (extensionsText !== undefined && typeof extensionsText !== 'string') return undefined;
    try {
      if (variablesText) variables = JSON.parse(variablesText);
      if (extensionsText) extensions = JSON.parse(extensionsText);
    } catch {
      return undefined;
    }
  } else {
    return undefined;
  }
  if (query !== undefined && typeof query !== 'string') return undefined;
  if (operationName != null && typeof operationName !== 'string') return undefined;
  if (variables != null && !isRecord(variables)) return undefined;
  if (extensions != null && !isRecord(extensions)) return undefined;
  const hash = persistedQueryHash(extensions);
  if (query === undefined && hash === undefined) return undefined;
  return { query, persistedQueryHash: hash, operationName: operationName ?? undefined, variables };
}
