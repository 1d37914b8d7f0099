// What one gateway shares with the others of its fleet, and what it knows of its clients: the Redis connection (with
// REDIS_URL), the cache of answers and the entity cache in two tiers, persisted-query registrations, the clients
// file, quotas of work and the gate every request passes, and the persisted query list (trusted documents). Without
// REDIS_URL everything stays in this process.

import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Registry } from 'prom-client';
import type { Logger } from '../../lib/observability';
import { Answers } from './answers';
import { Clients, type KnownClient } from './clients';
import { EntityCache } from './entities';
import { Gate, Quotas, Tarpit, type QuotaSettings } from './quotas';
import { SharedRedis, type RedisSettings } from './redis';
import { TrustedDocuments, type PersistedDocumentsMode } from './trusted-documents';

export interface FleetOptions {
  /** The fleet's Redis; absent (or no url): nothing is shared. */
  redis?: RedisSettings;
  /** Bytes of whole answers this process keeps (RESPONSE_CACHE_MB). */
  answersBytes: number;
  /** Bytes of entity answers this process keeps. */
  entityBytes: number;
  clients: readonly KnownClient[];
  quotas: QuotaSettings;
  /** Trusted documents: the persisted query list and its mode. Default: off. */
  persistedDocuments?: { mode: PersistedDocumentsMode; file?: string };
  /** Production: introspection is not let past the persisted query list. */
  production: boolean;
  registry?: Registry;
  logger: Logger;
}

export interface Fleet {
  readonly redis: SharedRedis | undefined;
  readonly answers: Answers;
  readonly entities: EntityCache;
  /** Apollo Server's store of automatic persisted queries: this process's, then every replica's. */
  readonly persistedQueries: KeyValueCache<string> | undefined;
  readonly quotas: Quotas;
  readonly gate: Gate;
  /** The persisted query list, checked before the cache of answers and Apollo Server. */
  readonly documents: TrustedDocuments;
  /** Where refusals over quota wait before they are sent. */
  readonly tarpit: Tarpit;
  close(): Promise<void>;
}

/** Bytes of persisted-query registrations this process keeps in front of the shared ones. */
const APQ_MEMORY_BYTES = 8 * 1024 * 1024;

export function createFleet(options: FleetOptions): Fleet {
  const { registry, logger } = options;
  const url = options.redis?.url;
  const redis = url ? new SharedRedis({ ...options.redis!, url }, { registry, logger }).start() : undefined;
  if (!redis && registry) SharedRedis.registerMetrics(registry);
  const answers = new Answers({ maxBytes: options.answersBytes, shared: redis?.cache('answers'), registry });
  const entities = new EntityCache({ maxBytes: options.entityBytes, shared: redis?.cache('entities'), registry });
  const quotas = new Quotas({
    defaults:
      options.quotas.workPerSecond !== undefined
        ? { workPerSecond: options.quotas.workPerSecond, burst: options.quotas.burst! }
        : undefined,
    perClient: options.clients.some((client) => client.workPerSecond !== undefined),
    redis,
    registry,
  });
  const tarpit = new Tarpit(options.quotas.holdMs);
  const documents = new TrustedDocuments({
    mode: options.persistedDocuments?.mode ?? 'off',
    file: options.persistedDocuments?.file,
    production: options.production,
    registry,
    logger,
  }).start();
  return {
    documents,
    redis,
    tarpit,
    answers,
    entities,
    persistedQueries: redis ? tiered(new InMemoryLRUCache<string>({ maxSize: APQ_MEMORY_BYTES }), redis.cache('apq')) : undefined,
    quotas,
    gate: new Gate(new Clients(options.clients), quotas, options.quotas.maxResultDigits, tarpit),
    close: async () => {
      documents.stop();
      await redis?.close();
    },
  };
}

/** A KeyValueCache that reads this process's store first, then the shared one (copying what it finds), and writes both. */
function tiered(front: KeyValueCache<string>, back: KeyValueCache<string>): KeyValueCache<string> {
  return {
    async get(key) {
      const near = await front.get(key);
      if (near !== undefined) return near;
      const far = await back.get(key);
      if (far !== undefined) await front.set(key, far);
      return far;
    },
    async set(key, value, options) {
      await Promise.all([front.set(key, value, options), back.set(key, value, options)]);
    },
    async delete(key) {
      await Promise.all([front.delete(key), back.delete(key)]);
    },
  };
}
