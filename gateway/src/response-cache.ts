// The gateway's cache of whole answers: GraphQL's (POST and GET) and the REST route's, in one budget of bytes. What
// may be kept, and for how long, is Apollo's cache policy of the answer: the subgraphs' @cacheControl hints, merged by
// the gateway from their Cache-Control headers (data-source.ts). An answer with an error, introspection or anything
// else without a public max-age is never kept.
//
// GraphQL answers are looked up twice, the way Apollo's response cache plugin does and then faster:
// - in the route, before Apollo Server runs (no parsing, no planning, no subgraph): by the operation's text, which an
//   earlier request taught the cache to map to its normalized document, the operation's name and the variables;
// - in Apollo's pipeline (responseForOperation), once the document is parsed and validated: by the normalized
//   document itself (printed, so that spacing, commas and comments do not matter), the name and the variables. A hit
//   there skips planning and every subgraph; it also teaches the route the new text.
// Identical operations that arrive while the first is computed wait for its answer (within their own deadline)
// rather than compute it again, as a router deduplicates queries: a burst of one heavy operation costs one
// computation, not one memory share each.

import type { ApolloServerPlugin, GraphQLRequestContext, GraphQLRequestListener, GraphQLResponse } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { createHash } from 'node:crypto';
import { print, type DocumentNode } from 'graphql';
import { Counter, Gauge, type Registry } from 'prom-client';
import { byteCache, type ByteCache } from '../../lib/cache';
import type { Deadline } from '../../lib/request';

/** The header that says whether an answer came from this cache (hit) or was computed (miss). */
export const CACHE_STATUS_HEADER = 'x-cache';

/** A GraphQL answer: its JSON as sent, and its Cache-Control as computed when it was. */
interface GraphQLAnswer {
  readonly kind: 'graphql';
  readonly body: Buffer;
  readonly cacheControl: string;
  readonly maxAgeSeconds: number;
  readonly storedAt: number;
}

/** A REST answer: the digits of ncr, and its Cache-Control as computed when it was. */
export interface RestAnswer {
  readonly kind: 'rest';
  readonly digits: string;
  readonly cacheControl: string;
  readonly storedAt: number;
}

/** An operation's text (or its persisted query hash), known to stand for a normalized document. */
interface DocumentAlias {
  readonly kind: 'alias';
  readonly documentId: string;
}

type Entry = GraphQLAnswer | RestAnswer | DocumentAlias;

/** What a lookup in the route needs of a request: Fastify's parsed body or query string, and two headers. */
export interface HttpGraphQLRequest {
  method: string;
  body: unknown;
  query: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** Per request, what Apollo's pipeline found: the answer's key, and whether it came from the cache or may be stored. */
export interface AnswerCacheState {
  key?: string;
  hit?: boolean;
  /** Set on the request that computes an answer others wait for: wakes them (after the answer is stored). */
  settle?: () => void;
  /** Set when the answer may be kept: its Cache-Control and lifetime. */
  store?: { cacheControl: string; maxAgeSeconds: number };
}

/**
 * What the cache plugin writes on each request's context, for the route to read: an object made with the context
 * (Apollo Server hands its plugins a shallow copy of the context, so the object is shared, the property is not);
 * `false` or absent opts the request out.
 */
export interface AnswerCacheContext {
  answerCache?: AnswerCacheState | false;
  /** How long the request may wait for an identical operation's answer (its deadline, which comes early if it leaves). */
  deadline?: Waitable;
}

/** Bytes an entry is counted for besides its key and its payload (the object, lru-cache's bookkeeping). */
const ENTRY_OVERHEAD = 96;
/** The largest answer kept, as a share of the cache: one big answer never flushes all the others. */
const MAX_ENTRY_SHARE = 8;
/** Accept headers whose content type is remembered (clients send a handful). */
const MAX_ACCEPTS = 64;

export interface ResponseCacheOptions {
  /** Bytes held at most, keys and answers together; 0 turns the cache off. */
  maxBytes: number;
  registry?: Registry;
}

/** The cache of answers: one per gateway, shared by the GraphQL route and the REST route. */
export class ResponseCache {
  readonly enabled: boolean;
  private readonly entries: ByteCache<string, Entry>;
  /** The content type Apollo chose for each Accept header, learned from its answers. */
  private readonly contentTypes = new Map<string, string>();
  private readonly documentIds = new WeakMap<DocumentNode, string>();
  /** The answers being computed, by key: resolved once the answer is stored, or known not to be. */
  private readonly computing = new Map<string, Promise<void>>();
  private readonly lookups?: Counter<'cache' | 'result'>;

  constructor(options: ResponseCacheOptions) {
    this.enabled = options.maxBytes > 0;
    this.entries = byteCache<string, Entry>(options.maxBytes, {
      sizeOf: (entry, key) => key.length + ENTRY_OVERHEAD + payloadBytes(entry),
      maxEntryBytes: Math.floor(options.maxBytes / MAX_ENTRY_SHARE),
    });
    if (options.registry && this.enabled) {
      this.lookups = new Counter({
        name: 'cache_lookups_total',
        help: 'Lookups in the gateway cache of answers, by cache (graphql or rest) and result (hit or miss).',
        labelNames: ['cache', 'result'],
        registers: [options.registry],
      });
      const entries = this.entries;
      new Gauge({
        name: 'response_cache_bytes',
        help: 'Bytes the gateway cache of answers holds, keys included (at most RESPONSE_CACHE_MB).',
        registers: [options.registry],
        collect() {
          this.set(entries.calculatedSize);
        },
      });
    }
  }

  /** The bytes held, by the cache's own measure. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }

  clear(): void {
    this.entries.clear();
  }

  /**
   * The REST answer for n and r: kept, or computed meanwhile by an identical request, waited for until `deadline()`
   * (asked for only then). Without an answer, `settle` is set when this request is the one to compute it: call it
   * once its answer is stored or known not to be, to wake the others. Counts the lookup.
   */
  async restAnswer(n: number, r: number, deadline?: () => Deadline): Promise<{ answer?: RestAnswer; settle?: () => void }> {
    if (!this.enabled) return {};
    const key = `r:${n}/${r}`;
    const kept = (): RestAnswer | undefined => {
      const entry = this.entries.get(key);
      return entry?.kind === 'rest' ? entry : undefined;
    };
    let answer = kept();
    let settle: (() => void) | undefined;
    if (!answer && deadline) {
      settle = await this.claim(key, deadline());
      if (!settle) answer = kept();
    }
    this.lookups?.inc({ cache: 'rest', result: answer ? 'hit' : 'miss' });
    return { answer, settle };
  }

  /** Keeps a REST answer, if its Cache-Control (Apollo's, for the operation the route ran) allows. */
  storeRestAnswer(n: number, r: number, digits: string, cacheControl: string | undefined): void {
    const maxAgeSeconds = publicMaxAge(cacheControl);
    if (!maxAgeSeconds) return;
    const answer: RestAnswer = { kind: 'rest', digits, cacheControl: cacheControl!, storedAt: Date.now() };
    this.entries.set(`r:${n}/${r}`, answer, maxAgeSeconds * 1000);
  }

  /**
   * The answer to a GraphQL request as the route sees it (before Apollo Server), with the headers to send, or undefined
   * when the request must go through Apollo: the cache does not know its text yet, its answer is not kept, it would
   * not pass Apollo's CSRF prevention, or it is not a plain query request. A miss here is not counted: Apollo's
   * pipeline looks again, by the normalized document, and counts that lookup.
   */
  graphqlAnswer(request: HttpGraphQLRequest): { body: Buffer; headers: Record<string, string> } | undefined {
    if (!this.enabled || request.headers['apollo-query-plan-experimental'] !== undefined) return undefined;
    const fields = requestFields(request);
    if (!fields) return undefined;
    const contentType = this.contentTypes.get(headerValue(request.headers.accept) ?? '');
    if (!contentType) return undefined;
    const alias = this.entries.get(fields.query !== undefined ? `q:${fields.query}` : `h:${fields.persistedQueryHash}`);
    if (alias?.kind !== 'alias') return undefined;
    const entry = this.entries.get(answerKey(alias.documentId, fields.operationName, fields.variables));
    if (entry?.kind !== 'graphql') return undefined;
    this.lookups?.inc({ cache: 'graphql', result: 'hit' });
    return {
      body: entry.body,
      headers: {
        'content-type': contentType,
        'cache-control': entry.cacheControl,
        age: String(Math.floor((Date.now() - entry.storedAt) / 1000)),
        vary: 'accept',
        [CACHE_STATUS_HEADER]: 'hit',
      },
    };
  }

  /**
   * Keeps the answer Apollo just sent, as the plugin decided, and learns the content type it chose for this Accept;
   * then wakes the requests that waited for it. Called once per request that went through Apollo, answered or not.
   */
  storeGraphQLAnswer(state: AnswerCacheState | false | undefined, accept: string | undefined, contentType: unknown, body: unknown): void {
    if (!state) return;
    try {
      this.keep(state, accept, contentType, body);
    } finally {
      state.settle?.();
    }
  }

  private keep(state: AnswerCacheState, accept: string | undefined, contentType: unknown, body: unknown): void {
    if (!state.key || !state.store || typeof body !== 'string' || typeof contentType !== 'string') return;
    const { cacheControl, maxAgeSeconds } = state.store;
    const answer: GraphQLAnswer = { kind: 'graphql', body: Buffer.from(body), cacheControl, maxAgeSeconds, storedAt: Date.now() };
    this.entries.set(state.key, answer, maxAgeSeconds * 1000);
    if (!this.contentTypes.has(accept ?? '')) {
      if (this.contentTypes.size >= MAX_ACCEPTS) this.contentTypes.clear();
      this.contentTypes.set(accept ?? '', contentType);
    }
  }

  /**
   * The Apollo Server plugin: looks answers up by the normalized document before the operation is planned (a hit
   * skips planning and the subgraphs), says which answers may be kept, marks answers hit or miss, and empties the
   * cache when the schema changes.
   */
  plugin<TContext extends AnswerCacheContext>(): ApolloServerPlugin<TContext> {
    const cache = this;
    const listener: GraphQLRequestListener<TContext> = {
      async responseForOperation(requestContext) {
        const { contextValue, operation } = requestContext;
        const state = contextValue.answerCache;
        if (!cache.enabled || !state || operation?.operation !== 'query') return null;
        if (requestContext.request.http?.headers.get('apollo-query-plan-experimental') !== undefined) return null;
        const documentId = cache.documentId(requestContext.document);
        cache.learnAliases(requestContext, documentId);
        const { request } = requestContext;
        const key = answerKey(documentId, request.operationName, request.variables);
        let entry = cache.entries.get(key);
        if (entry?.kind !== 'graphql') {
          state.settle = await cache.claim(key, contextValue.deadline);
          if (!state.settle) entry = cache.entries.get(key);
        }
        const answer = entry?.kind === 'graphql' ? entry : undefined;
        cache.lookups?.inc({ cache: 'graphql', result: answer ? 'hit' : 'miss' });
        state.key = key;
        state.hit = answer !== undefined;
        if (!answer) return null;
        // The answer's policy is the kept one, less the time it has been kept.
        const age = Math.floor((Date.now() - answer.storedAt) / 1000);
        requestContext.overallCachePolicy.replace({ maxAge: Math.max(0, answer.maxAgeSeconds - age), scope: 'PUBLIC' });
        const response: Pick<GraphQLResponse, 'body' | 'http'> = {
          body: { kind: 'single', singleResult: JSON.parse(answer.body.toString('utf8')) },
          http: { status: undefined, headers: new HeaderMap([['age', String(age)]]) },
        };
        return response as GraphQLResponse;
      },
      async willSendResponse({ contextValue, response }) {
        const state = contextValue.answerCache;
        if (!state || !state.key) return;
        response.http.headers.set(CACHE_STATUS_HEADER, state.hit ? 'hit' : 'miss');
        if (state.hit || response.body.kind !== 'single') return;
        const { errors, data } = response.body.singleResult;
        const cacheControl = response.http.headers.get('cache-control');
        const maxAgeSeconds = publicMaxAge(cacheControl);
        if (errors?.length || !data || !maxAgeSeconds) return;
        state.store = { cacheControl: cacheControl!, maxAgeSeconds };
      },
    };
    return {
      async serverWillStart() {
        return {
          // A new supergraph may answer differently: nothing kept from the old one is served.
          schemaDidLoadOrUpdate: () => cache.clear(),
        };
      },
      requestDidStart: async () => listener,
    };
  }

  /**
   * Waits while an identical request computes the answer under `key` (until it is stored or known not to be, or the
   * deadline passes) and returns undefined; or, when none does, makes this request the one, and returns the function
   * that wakes those that wait for it.
   */
  private async claim(key: string, deadline: Waitable | undefined): Promise<(() => void) | undefined> {
    const computing = this.computing.get(key);
    if (computing) {
      await within(computing, deadline);
      return undefined;
    }
    let wake!: () => void;
    this.computing.set(key, new Promise<void>((resolve) => (wake = resolve)));
    return () => {
      this.computing.delete(key);
      wake();
    };
  }

  /** The normalized document's id: the SHA-256 of its printed form, once per parsed document (Apollo keeps them). */
  private documentId(document: DocumentNode): string {
    let id = this.documentIds.get(document);
    if (id === undefined) {
      id = createHash('sha256').update(print(document)).digest('base64url');
      this.documentIds.set(document, id);
    }
    return id;
  }

  /** Teaches the route which normalized document this request's text (and its persisted query hash) stands for. */
  private learnAliases(requestContext: GraphQLRequestContext<AnswerCacheContext>, documentId: string): void {
    const { query, extensions } = requestContext.request;
    const alias: DocumentAlias = { kind: 'alias', documentId };
    if (query !== undefined && this.entries.get(`q:${query}`) === undefined) this.entries.set(`q:${query}`, alias);
    const hash = persistedQueryHash(extensions);
    if (hash !== undefined && this.entries.get(`h:${hash}`) === undefined) this.entries.set(`h:${hash}`, alias);
  }
}

/** What a wait needs of a request's deadline. */
type Waitable = Pick<Deadline, 'onExpire'>;

/** Resolves when `promise` does, or when the deadline passes (then the caller goes on without it). */
function within(promise: Promise<void>, deadline: Waitable | undefined): Promise<void> {
  if (!deadline) return promise;
  return new Promise<void>((resolve) => {
    const stop = deadline.onExpire(resolve);
    void promise.then(() => {
      stop();
      resolve();
    });
  });
}

/** The max-age of a Cache-Control that lets shared caches keep the answer (public, no no-store or private), else 0. */
export function publicMaxAge(cacheControl: string | undefined): number {
  if (!cacheControl) return 0;
  let maxAge = 0;
  let isPublic = false;
  for (const directive of cacheControl.toLowerCase().split(',')) {
    const [name, value] = directive.trim().split('=', 2) as [string, string | undefined];
    if (name === 'no-store' || name === 'private' || name === 'no-cache') return 0;
    if (name === 'public') isPublic = true;
    if (name === 'max-age' && value !== undefined && /^\d+$/.test(value)) maxAge = Number(value);
  }
  return isPublic ? maxAge : 0;
}

function payloadBytes(entry: Entry): number {
  switch (entry.kind) {
    case 'graphql':
      return entry.body.length + entry.cacheControl.length;
    case 'rest':
      return entry.digits.length + entry.cacheControl.length;
    case 'alias':
      return entry.documentId.length;
  }
}

/** An answer's key: the normalized document, the operation's name and the variables with their keys sorted. */
function answerKey(documentId: string, operationName: string | null | undefined, variables: unknown): string {
  return `a:${documentId}:${operationName ?? ''}:${variables == null ? '' : canonicalJson(variables)}`;
}

/** JSON with every object's keys sorted: the same variables give the same text, whatever order the client wrote. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function persistedQueryHash(extensions: unknown): string | undefined {
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
function requestFields(
  request: HttpGraphQLRequest,
): { query?: string; persistedQueryHash?: string; operationName?: string; variables?: unknown } | undefined {
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
