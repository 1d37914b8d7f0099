// The fleet's Redis: an accelerator that can never fail a request. One client per gateway (node-redis, reconnecting by
// itself, TLS with rediss://); every call bounded by REDIS_TIMEOUT_MS and a circuit breaker; commands refused at once
// while disconnected (no offline queue) and past a bounded queue (a hung Redis cannot hold memory); every failure
// counted in cache_errors_total{op,reason}, and the caller goes on without Redis.

import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { KeyvAdapter } from '@apollo/utils.keyvadapter';
import KeyvRedis, { createClient } from '@keyv/redis';
import { Keyv } from 'keyv';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../../lib/observability';
import { CircuitBreaker, type BreakerState } from './breaker';
import type { RedisSettings } from './settings';

/** Commands that may wait in the client's queue; past it a command is refused at once (a hung Redis holds no more). */
const MAX_QUEUED_COMMANDS = 1000;
/** The longest wait between reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/** Why a Redis call gave nothing: it took too long, it failed, or it was not sent (breaker open, disconnected). */
export type FailureReason = 'timeout' | 'error' | 'unavailable';

export class SharedRedis {
  readonly keyPrefix: string;
  readonly client: ReturnType<typeof createClient>;
  private readonly breaker: CircuitBreaker;
  private readonly errors?: Counter<'op' | 'reason'>;
  private ready = false;
  private closed = false;

  constructor(
    private readonly settings: RedisSettings & { url: string },
    options: { registry?: Registry; logger: Logger },
  ) {
    this.keyPrefix = settings.keyPrefix;
    const { logger } = options;
    const breaker: CircuitBreaker = new CircuitBreaker({
      onChange: (state: BreakerState) => {
        if (state === 'open') logger.warn(`Redis keeps failing: not asked for ${breaker.openMs / 1000} s (requests go on without it)`);
      },
    });
    this.breaker = breaker;
    this.client = createClient({
      url: settings.url,
      disableOfflineQueue: true,
      commandsQueueMaxLength: MAX_QUEUED_COMMANDS,
      socket: {
        connectTimeout: Math.max(1_000, 10 * settings.timeoutMs),
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), MAX_RECONNECT_DELAY_MS),
      },
    });
    // Without a listener an 'error' event would end the process; each failure is counted where a call meets it.
    let said = '';
    this.client.on('error', (error: Error) => {
      if (error.message !== said) logger.warn({ err: { message: error.message } }, 'Redis unavailable: requests go on without it');
      said = error.message;
    });
    this.client.on('ready', () => {
      this.ready = true;
      said = '';
      logger.info('Redis connected: answers, persisted queries, entities and quotas are shared');
    });
    this.client.on('end', () => (this.ready = false));
    this.client.on('reconnecting', () => (this.ready = false));
    if (options.registry) {
      this.errors = SharedRedis.registerMetrics(options.registry);
      const redis = this;
      new Gauge({
        name: 'redis_up',
        help: 'Whether the gateway is connected to its Redis and its circuit breaker lets calls through (1) or not (0).',
        registers: [options.registry],
        collect() {
          this.set(redis.ready && redis.breaker.current !== 'open' ? 1 : 0);
        },
      });
    }
  }

  /** cache_errors_total, which a gateway without Redis exposes too (always 0), so that alerts and dashboards can name it. */
  static registerMetrics(registry: Registry): Counter<'op' | 'reason'> {
    return new Counter({
      name: 'cache_errors_total',
      help: 'Redis calls that gave nothing, by operation and reason (timeout, error, unavailable); the request went on without Redis.',
      labelNames: ['op', 'reason'],
      registers: [registry],
    });
  }

  /** Connects in the background: the gateway serves at once, with or without Redis. */
  start(): this {
    this.client.connect().catch(() => {
      // Reported by the 'error' listener; node-redis keeps reconnecting.
    });
    return this;
  }

  /** Counts a call that gave nothing. */
  count(op: string, reason: FailureReason): void {
    this.errors?.inc({ op, reason });
  }

  /**
   * Runs `call` within REDIS_TIMEOUT_MS and the circuit breaker. Resolves with its value, or with `failed` (counted
   * under `op`) when Redis is not connected, the breaker is open, the call fails or it takes too long. Never rejects.
   */
  async attempt<T>(op: string, call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; reason: FailureReason }> {
    if (!this.ready || !this.breaker.allows()) {
      this.count(op, 'unavailable');
      return { ok: false, reason: 'unavailable' };
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.settings.timeoutMs);
      timer.unref();
    });
    try {
      const outcome = await Promise.race([call().then((value) => ({ value })), timedOut]);
      if (outcome === 'timeout') {
        this.breaker.failed();
        this.count(op, 'timeout');
        return { ok: false, reason: 'timeout' };
      }
      this.breaker.succeeded();
      return { ok: true, value: outcome.value };
    } catch {
      this.breaker.failed();
      this.count(op, 'error');
      return { ok: false, reason: 'error' };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A KeyValueCache of strings in this Redis under `<REDIS_KEY_PREFIX><namespace>:`, through Keyv and Apollo's Keyv
   * adapter (which batches the gets of one tick into one MGET), every call guarded as `attempt` guards it.
   */
  cache(namespace: string): KeyValueCache<string> {
    const store = new KeyvRedis<string>(this.client, { throwOnErrors: true, throwOnConnectError: true });
    const keyv = new Keyv<string>({ store, useKeyPrefix: false, throwOnErrors: true });
    // No namespace of Keyv's ("keyv::" before every key): ours is REDIS_KEY_PREFIX.
    keyv.namespace = undefined;
    const adapter = new KeyvAdapter<string>(keyv);
    const prefix = `${this.keyPrefix}${namespace}:`;
    const redis = this;
    return {
      async get(key: string): Promise<string | undefined> {
        const result = await redis.attempt(`${namespace}.get`, () => adapter.get(prefix + key));
        return result.ok && typeof result.value === 'string' ? result.value : undefined;
      },
      async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
        await redis.attempt(`${namespace}.set`, () => adapter.set(prefix + key, value, options));
      },
      async delete(key: string): Promise<boolean | void> {
        const result = await redis.attempt(`${namespace}.delete`, () => adapter.delete(prefix + key));
        return result.ok ? Boolean(result.value) : false;
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.client.isOpen) await this.client.close();
      else this.client.destroy();
    } catch {
      this.client.destroy();
    }
  }
}
