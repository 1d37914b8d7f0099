// The gateway's cache of whole answers: GraphQL's (POST, GET, APQ) and the REST route's, in one store. What may be
// kept, and for how long, is Apollo's cache policy of the answer (the subgraphs' @cacheControl hints, merged from
// their Cache-Control): an answer with an error, introspection or anything without a public max-age is never kept.
//
// GraphQL answers are looked up twice, the way Apollo's response cache plugin does and then faster:
// - in the route, before Apollo Server runs (no parsing, no planning, no subgraph): by the operation's text, which an
//   earlier request taught the cache to map to its normalized document, the operation's name and the variables;
// - in Apollo's pipeline (plugin.ts), once the document is parsed and validated: by the normalized document itself
//   (printed, so that spacing, commas and comments do not matter). A hit there skips planning and every subgraph,
//   and teaches the route the new text.
// Two tiers: this process's store in front (a hit there never waits on Redis), and, with REDIS_URL, the shared tier
// behind it (every replica's answers; shared-tier.ts), whose hits are copied to the front. Identical requests in
// flight wait for the first one's answer (in-flight.ts). A request carries one handle, its AnswerTicket: the plugin
// writes what it found on it, and the route finishes with it once Apollo's answer is written.

import { createHash } from 'node:crypto';
import { print, type DocumentNode } from 'graphql';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Deadline } from '../../../lib/request';
import { ageSeconds, AnswerTicket, CACHE_STATUS_HEADER, CACHE_TIER_HEADER, type Tier } from './ticket';
import { sharedMaxAge } from './cache-control';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { keys, type Entry, type GraphQLAnswer, type RestAnswer } from './entries';
import { SharedTier } from './shared-tier';
import { headerValue, readGraphQLRequest, persistedQueryHash, type HttpGraphQLRequest } from './http-request';
import { InFlight } from './in-flight';
import { MemoryStore } from './store';

export { ageSeconds, AnswerTicket, CACHE_STATUS_HEADER, CACHE_TIER_HEADER, type Tier };

/** How long the shared tier keeps an alias (an operation's text to its document). */
const ALIAS_SHARED_SECONDS = 86_400;

/** Accept headers whose content type is remembered (clients send a handful). */
const MAX_ACCEPTS = 64;

/** A GraphQL request's lookup in the route: the alias's key, the answer's key once the alias is known, the content type. */
export interface RouteLookup {
  readonly aliasKey: string;
  answerKey(alias: Entry | undefined): string;
  readonly contentType: string;
}

/** An answer the route sends as it is kept. */
export interface RouteHit {
  readonly body: Buffer;
  readonly headers: Record<string, string>;
}

export interface AnswersOptions {
  /** Bytes held at most in this process, keys and answers together; 0 turns the cache off. */
  maxBytes: number;
  /** The shared tier (Redis), behind this process's. Default: none. */
  shared?: KeyValueCache<string>;
  registry?: Registry;
}

export class Answers {
  readonly enabled: boolean;
  private readonly store: MemoryStore;
  private readonly shared: SharedTier | undefined;
  private readonly inFlight = new InFlight();
  /** The content type Apollo chose for each Accept header, learned from its answers. */
  private readonly contentTypes = new Map<string, string>();
  private readonly documentIds = new WeakMap<DocumentNode, string>();
  private readonly lookups?: Counter<'cache' | 'result' | 'tier'>;

  constructor(options: AnswersOptions) {
    this.enabled = options.maxBytes > 0;
    this.store = new MemoryStore(options.maxBytes);
    this.shared = this.enabled && options.shared ? new SharedTier(options.shared, options.registry) : undefined;
    if (options.registry && this.enabled) {
      this.lookups = new Counter({
        name: 'cache_lookups_total',
        help: 'Lookups in the gateway cache of answers, by cache (graphql or rest), result (hit or miss) and the tier of a hit (memory or redis; none for a miss).',
        labelNames: ['cache', 'result', 'tier'],
        registers: [options.registry],
      });
      const store = this.store;
      new Gauge({
        name: 'response_cache_bytes',
        help: 'Bytes the gateway cache of answers holds, keys included (at most RESPONSE_CACHE_MB).',
        registers: [options.registry],
        collect() {
          this.set(store.bytes);
        },
      });
    }
  }

  /** The bytes held, by the store's own measure. */
  get bytes(): number {
    return this.store.bytes;
  }

  /**
   * Forgets every answer of the supergraph `schemaId` replaces: this process's are dropped, and the shared tier's
   * keys start with the new supergraph's id, so that no replica serves an answer of another supergraph.
   */
  schemaChanged(schemaId: string): void {
    this.store.clear();
    this.shared?.useGeneration(schemaId);
  }

  clear(): void {
    this.store.clear();
  }

  /** A handle for a GraphQL request about to go through Apollo Server; undefined when the cache is off. */
  ticket(deadline: Deadline | undefined): AnswerTicket | undefined {
    return this.enabled ? new AnswerTicket(deadline) : undefined;
  }

  /**
   * What the route needs to look a GraphQL request's answer up (before Apollo Server), read once from the request; or
   * undefined when the request must go through Apollo: it would not pass Apollo's CSRF prevention, it is not a plain
   * query request, or no answer was ever sent for its Accept header. Then memoryAnswer, then sharedAnswer. A miss
   * here is not counted: Apollo's pipeline looks again, by the normalized document, and counts that lookup.
   */
  routeLookup(request: HttpGraphQLRequest): RouteLookup | undefined {
    if (!this.enabled || request.headers['apollo-query-plan-experimental'] !== undefined) return undefined;
    const fields = readGraphQLRequest(request);
    if (!fields) return undefined;
    const contentType = this.contentTypes.get(headerValue(request.headers.accept) ?? '');
    if (!contentType) return undefined;
    return {
      aliasKey: fields.query !== undefined ? keys.text(fields.query) : keys.hash(fields.persistedQueryHash!),
      answerKey: (alias) => (alias?.kind === 'alias' ? keys.answer(alias.documentId, fields.operationName, fields.variables) : ''),
      contentType,
    };
  }

  /** The answer this process keeps for a route lookup, with the headers to send: no promise, no Redis. */
  memoryAnswer(lookup: RouteLookup): RouteHit | undefined {
    const entry = this.store.peek(lookup.answerKey(this.store.peek(lookup.aliasKey)));
    return entry?.kind === 'graphql' ? this.routeHit(entry, lookup.contentType, 'memory') : undefined;
  }

  /** The answer the shared tier keeps for a route lookup (copied to memory); undefined at once without a shared tier. */
  async sharedAnswer(lookup: RouteLookup): Promise<RouteHit | undefined> {
    if (!this.shared) return undefined;
    const alias = this.store.peek(lookup.aliasKey) ?? (await this.fromShared(lookup.aliasKey));
    if (alias?.kind !== 'alias') return undefined;
    const entry = await this.fromShared(lookup.answerKey(alias));
    return entry?.kind === 'graphql' ? this.routeHit(entry, lookup.contentType, 'redis') : undefined;
  }

  private routeHit(entry: GraphQLAnswer, contentType: string, tier: Tier): RouteHit {
    this.lookups?.inc({ cache: 'graphql', result: 'hit', tier });
    return {
      body: entry.body,
      headers: {
        'content-type': contentType,
        'cache-control': entry.cacheControl,
        age: String(ageSeconds(entry)),
        vary: 'accept',
        [CACHE_STATUS_HEADER]: 'hit',
        [CACHE_TIER_HEADER]: tier,
      },
    };
  }

  /** An entry of the shared tier, copied to memory for the rest of its life (aliases for as long as memory keeps them). */
  private async fromShared(key: string): Promise<Entry | undefined> {
    if (!key || !this.shared) return undefined;
    const entry = await this.shared.get(key);
    if (!entry) return undefined;
    if (entry.kind === 'alias') this.store.put(key, entry);
    else {
      const maxAge = entry.kind === 'graphql' ? entry.maxAgeSeconds : sharedMaxAge(entry.cacheControl);
      const left = maxAge - ageSeconds(entry);
      if (left <= 0) return undefined;
      this.store.put(key, entry, left);
    }
    return entry;
  }

  /** Keeps an entry in both tiers (an alias for a day in the shared one: it is cheap to learn again). */
  private keepEverywhere(key: string, entry: Entry, ttlSeconds?: number): void {
    this.store.put(key, entry, ttlSeconds);
    this.shared?.put(key, entry, ttlSeconds ?? ALIAS_SHARED_SECONDS);
  }

  /**
   * In Apollo's pipeline: the kept answer to a parsed, validated query, or undefined after this request became the
   * one to compute it (or waited for another that did, in vain). Teaches the route the request's text. Counts the lookup.
   */
  async answerFor(
    ticket: AnswerTicket,
    document: DocumentNode,
    request: { query?: string; operationName?: string | null; variables?: unknown; extensions?: unknown },
  ): Promise<GraphQLAnswer | undefined> {
    const documentId = this.documentId(document);
    this.learnAliases(request, documentId);
    const key = keys.answer(documentId, request.operationName, request.variables);
    let entry = this.store.peek(key);
    let tier: Tier | undefined = entry?.kind === 'graphql' ? 'memory' : undefined;
    if (!tier && this.shared) {
      entry = await this.fromShared(key);
      if (entry?.kind === 'graphql') tier = 'redis';
    }
    if (!tier) {
      ticket.done = await this.inFlight.claim(key, ticket.deadline);
      if (!ticket.done) entry = this.store.peek(key);
      if (entry?.kind === 'graphql') tier = 'memory';
    }
    const answer = tier ? (entry as GraphQLAnswer) : undefined;
    this.lookups?.inc({ cache: 'graphql', result: answer ? 'hit' : 'miss', tier: tier ?? 'none' });
    ticket.key = key;
    ticket.hit = answer !== undefined;
    ticket.tier = tier;
    return answer;
  }

  /**
   * After Apollo Server wrote its answer: keeps it as the plugin allowed, learns the content type Apollo chose for
   * this Accept, then wakes the requests that waited for it. Called once per request that went through Apollo.
   */
  finish(ticket: AnswerTicket | undefined, accept: string | undefined, contentType: unknown, body: unknown): void {
    if (!ticket) return;
    try {
      if (!ticket.key || !ticket.keep || typeof body !== 'string' || typeof contentType !== 'string') return;
      const { cacheControl, maxAgeSeconds } = ticket.keep;
      this.keepEverywhere(
        ticket.key,
        { kind: 'graphql', body: Buffer.from(body), cacheControl, maxAgeSeconds, storedAt: Date.now() },
        maxAgeSeconds,
      );
      if (!this.contentTypes.has(accept ?? '')) {
        if (this.contentTypes.size >= MAX_ACCEPTS) this.contentTypes.clear();
        this.contentTypes.set(accept ?? '', contentType);
      }
    } finally {
      ticket.done?.();
    }
  }

  /**
   * The REST answer for n and r: kept, or computed meanwhile by an identical request, waited for until `deadline()`
   * (asked for only then). Without an answer, `done` is set when this request is the one to compute it: call it once
   * its answer is kept or known not to be, to wake the others. Counts the lookup.
   */
  async restAnswer(n: number, r: number, deadline?: () => Deadline): Promise<{ answer?: RestAnswer; done?: () => void; tier?: Tier }> {
    if (!this.enabled) return {};
    const key = keys.rest(n, r);
    const asRest = (entry: Entry | undefined): RestAnswer | undefined => (entry?.kind === 'rest' ? entry : undefined);
    let answer = asRest(this.store.peek(key));
    let tier: Tier | undefined = answer ? 'memory' : undefined;
    if (!answer && this.shared) {
      answer = asRest(await this.fromShared(key));
      if (answer) tier = 'redis';
    }
    let done: (() => void) | undefined;
    if (!answer && deadline) {
      done = await this.inFlight.claim(key, deadline());
      if (!done) answer = asRest(this.store.peek(key));
      if (answer) tier = 'memory';
    }
    this.lookups?.inc({ cache: 'rest', result: answer ? 'hit' : 'miss', tier: tier ?? 'none' });
    return { answer, done, tier };
  }

  /** Keeps a REST answer, if its Cache-Control (Apollo's, for the operation the route ran) allows. */
  keepRestAnswer(n: number, r: number, digits: string, cacheControl: string | undefined): void {
    const maxAgeSeconds = sharedMaxAge(cacheControl);
    if (!maxAgeSeconds) return;
    this.keepEverywhere(keys.rest(n, r), { kind: 'rest', digits, cacheControl: cacheControl!, storedAt: Date.now() }, maxAgeSeconds);
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
  private learnAliases(request: { query?: string; extensions?: unknown }, documentId: string): void {
    const learn = (key: string): void => {
      if (this.store.peek(key) === undefined) this.keepEverywhere(key, { kind: 'alias', documentId });
    };
    if (request.query !== undefined) learn(keys.text(request.query));
    const hash = persistedQueryHash(request.extensions);
    if (hash !== undefined) learn(keys.hash(hash));
  }
}
