// The entity cache: an _entities fetch looks up each representation's answer, by subgraph, the fetch's selection set
// (its query) and the representation itself (type and key), in this process's store and then in the shared one
// (Redis), and sends the subgraph only the representations no tier holds; the answers are merged back in order. Only
// answers the subgraph marked public with a max-age are kept, an entity with an error never, and none that holds a
// list (a factorization): a list's size is what the subgraph bounds per operation (MAX_OPERATION_PRIMES), and an
// answer kept here would escape that count, so the same operation would be refused or not depending on the cache.
// What the cache serves counts against the operation's answer bytes (MAX_RESPONSE_MB) as a subgraph's answer does.
// A second operation that overlaps the first's entities costs the subgraph only the new ones.

import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { createHash } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import { byteCache, type ByteCache } from '../../../lib/cache';
import { canonicalJson, sharedMaxAge, type Tier } from '../answers';
import type { GatewayContext } from '../context';
import { spendReplyBudget, type GatewayGraphQLResponse, type SubgraphDataSource } from '../data-source';
import { decodeEntity, encodeEntity, type KeptEntity } from './codec';

/** The largest entity answer kept, as a share of the store. */
const MAX_ENTRY_SHARE = 8;

/** Selections remembered as answering lists (never kept), at most. */
const MAX_LIST_SELECTIONS = 10_000;

export interface EntityCacheOptions {
  /** Bytes this process keeps; 0: none (and no shared tier either). */
  maxBytes: number;
  /** The shared tier (Redis); absent: this process's store alone. */
  shared?: KeyValueCache<string>;
  registry?: Registry;
}

/** The store of entity answers, shared by every subgraph's data source of one gateway. */
export class EntityCache {
  readonly enabled: boolean;
  private readonly memory: ByteCache<string, KeptEntity>;
  private readonly lookups?: Counter<'subgraph' | 'result' | 'tier'>;
  private readonly sent?: Counter<'subgraph'>;
  private readonly rejected?: Counter<'reason'>;
  /** The fetches (by their query) whose answers hold lists: never kept, so never looked up either. */
  private readonly listSelections = new Set<string>();

  constructor(private readonly options: EntityCacheOptions) {
    this.enabled = options.maxBytes > 0;
    this.memory = byteCache<string, KeptEntity>(options.maxBytes, {
      sizeOf: (entry, key) => key.length + entry.json.length + 64,
      maxEntryBytes: Math.floor(options.maxBytes / MAX_ENTRY_SHARE),
    });
    if (options.registry) {
      this.lookups = new Counter({
        name: 'entity_cache_lookups_total',
        help: 'Entity representations looked up in the entity cache, by subgraph, result (hit or miss) and the tier of a hit.',
        labelNames: ['subgraph', 'result', 'tier'],
        registers: [options.registry],
      });
      this.sent = new Counter({
        name: 'entity_representations_sent_total',
        help: 'Entity representations the gateway sent to a subgraph (those no tier of the entity cache held).',
        labelNames: ['subgraph'],
        registers: [options.registry],
      });
      this.rejected = new Counter({
        name: 'entity_cache_entries_rejected_total',
        help: 'Entity answers read back from the shared cache that were not what was written: ignored, never served.',
        labelNames: ['reason'],
        registers: [options.registry],
      });
    }
  }

  /** Forgets every entity answer this process holds (a new supergraph). */
  clear(): void {
    this.memory.clear();
    this.listSelections.clear();
  }

  /** `source`, with its _entities fetches answered from the cache where it can. */
  wrap(subgraph: string, source: SubgraphDataSource): GraphQLDataSource<GatewayContext> {
    if (!this.enabled) return source;
    return { process: (options) => this.process(subgraph, source, options) };
  }

  private async process(
    subgraph: string,
    source: SubgraphDataSource,
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<GatewayGraphQLResponse> {
    const representations = options.request.variables?.representations;
    if (!('incomingRequestContext' in options) || !Array.isArray(representations) || !options.request.query?.includes('_entities')) {
      return source.process(options);
    }
    const selection = createHash('sha256').update(options.request.query).digest('base64url');
    if (this.listSelections.has(selection)) {
      this.sent?.inc({ subgraph }, representations.length);
      return source.process(options);
    }
    const keys = representations.map((representation) => `${subgraph}:${selection}:${canonicalJson(representation)}`);
    const found = await this.lookUp(subgraph, keys);
    const missing = keys.map((_, i) => i).filter((i) => found[i] === undefined);
    const context = options.context as Partial<GatewayContext>;
    spendReplyBudget(
      context.replyBudget,
      found.reduce((bytes, entry) => bytes + (entry?.json.length ?? 0), 0),
      context.deadline,
    );
    const policy = options.incomingRequestContext.overallCachePolicy;
    // What the cache holds counts as this fetch's answer for the operation's policy: its time left, public.
    const oldest = Math.min(...found.filter((entry): entry is KeptEntity => entry !== undefined).map(remainingSeconds));
    if (missing.length < keys.length) policy.restrict({ maxAge: Math.max(0, oldest), scope: 'PUBLIC' });
    if (missing.length === 0) return { data: { _entities: found.map((entry) => JSON.parse(entry!.json) as unknown) } };

    this.sent?.inc({ subgraph }, missing.length);
    const asked = {
      ...options,
      request: { ...options.request, variables: { ...options.request.variables, representations: missing.map((i) => representations[i]) } },
    };
    const { response, cacheControl } = await source.fetch(asked);
    const answered = (response.data as { _entities?: unknown[] } | null | undefined)?._entities;
    if (!Array.isArray(answered) || answered.length !== missing.length)
      return missing.length === keys.length ? response : source.process(options);
    if (answered.some(holdsList) && this.listSelections.size < MAX_LIST_SELECTIONS) this.listSelections.add(selection);
    this.keep(keys, missing, answered, response, cacheControl);
    const entities: unknown[] = found.map((entry) => (entry ? (JSON.parse(entry.json) as unknown) : undefined));
    missing.forEach((i, k) => (entities[i] = answered[k]));
    // Errors at _entities.k of the subgraph's answer are at _entities.missing[k] of the operation's.
    const errors = response.errors?.map((error) =>
      error.path?.[0] === '_entities' && typeof error.path[1] === 'number'
        ? { ...error, path: ['_entities', missing[error.path[1]] ?? error.path[1], ...error.path.slice(2)] }
        : error,
    );
    return { ...response, data: { ...response.data, _entities: entities }, ...(errors && { errors }) };
  }

  /** Each key's kept answer, from memory and then, for the rest, from the shared tier (one MGET); counts each. */
  private async lookUp(subgraph: string, keys: string[]): Promise<(KeptEntity | undefined)[]> {
    const found: (KeptEntity | undefined)[] = keys.map((key) => this.memory.get(key));
    const tiers: (Tier | undefined)[] = found.map((entry) => (entry ? 'memory' : undefined));
    const { shared } = this.options;
    if (shared) {
      await Promise.all(
        keys.map(async (key, i) => {
          if (found[i]) return;
          const text = await shared.get(sharedKey(key));
          if (text === undefined) return;
          const entry = decodeEntity(text);
          if ('rejected' in entry) return void this.rejected?.inc({ reason: entry.rejected });
          const left = remainingSeconds(entry);
          if (left <= 0) return;
          found[i] = entry;
          tiers[i] = 'redis';
          this.memory.set(key, entry, left * 1000);
        }),
      );
    }
    for (const tier of tiers) this.lookups?.inc({ subgraph, result: tier ? 'hit' : 'miss', tier: tier ?? 'none' });
    return found;
  }

  /** Keeps the answers of the fetch that the subgraph marked public with a max-age, and that carry no error. */
  private keep(
    keys: string[],
    missing: number[],
    answered: unknown[],
    response: GatewayGraphQLResponse,
    cacheControl: string | undefined,
  ): void {
    const maxAge = sharedMaxAge(cacheControl);
    if (!maxAge) return;
    const failed = new Set<number>();
    for (const error of response.errors ?? []) {
      if (error.path?.[0] !== '_entities' || typeof error.path[1] !== 'number') return; // an error of the whole fetch
      failed.add(error.path[1]);
    }
    answered.forEach((answer, k) => {
      if (failed.has(k) || answer === null || answer === undefined || holdsList(answer)) return;
      const entry: KeptEntity = { json: JSON.stringify(answer), storedAt: Date.now(), maxAgeSeconds: maxAge };
      const key = keys[missing[k]!]!;
      this.memory.set(key, entry, maxAge * 1000);
      void this.options.shared?.set(sharedKey(key), encodeEntity(entry), { ttl: maxAge });
    });
  }
}

/** Whether an answer holds a list anywhere (iteratively: a subgraph's answer, but no recursion on it all the same). */
function holdsList(answer: unknown): boolean {
  const pending: unknown[] = [answer];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) return true;
    if (typeof value === 'object' && value !== null) pending.push(...Object.values(value));
  }
  return false;
}

const remainingSeconds = (entry: KeptEntity): number => entry.maxAgeSeconds - Math.floor((Date.now() - entry.storedAt) / 1000);

/** The shared tier's key for an entity's key (keys hold whole representations). */
const sharedKey = (key: string): string => createHash('sha256').update(key).digest('base64url');
