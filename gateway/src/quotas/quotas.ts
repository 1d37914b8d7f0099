// Quotas of work, one per client, shared across replicas: rate-limiter-flexible's BurstyRateLimiter (a limiter of
// work per second, and a burst limiter that lends up to `burst` units over the time the rate takes to earn them), in
// Redis when the fleet has one (one quota across every replica), in memory otherwise. A Redis that fails (down, hung,
// or too slow to answer within REDIS_TIMEOUT_MS, as it is when this process is short of CPU) fails the quota open to
// this replica's own bucket: the decision is made in memory, as if this replica were alone, and counted
// (quota_decisions_total{decision="failed_open"}, cache_errors_total{op="quota"}). No client is refused for Redis's
// sake, and a flood is not let through whole exactly when the machine is busiest.

import { Counter, type Registry } from 'prom-client';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { ClientIdentity } from '../clients';
import type { SharedRedis } from '../redis';

/** A quota: units of work a second, and the most that may be spent at once. */
export interface Policy {
  readonly workPerSecond: number;
  readonly burst: number;
}

/** What the quota said of a request. */
export interface Decision {
  readonly allowed: boolean;
  readonly policy: Policy;
  /** Units left now (for the RateLimit header), and seconds until the quota is whole again. */
  readonly remaining: number;
  readonly resetSeconds: number;
  /** When refused: seconds before the same work may be admitted. */
  readonly retryAfterSeconds: number;
  /** The work asked for exceeds the burst: it can never be admitted whole. */
  readonly overBurst: boolean;
}

export interface QuotasOptions {
  /** The quota of clients the file gives none; undefined: they have none. */
  defaults: Policy | undefined;
  /** Whether some client of the clients file has a quota of its own. */
  perClient?: boolean;
  /** The fleet's Redis; undefined: quotas in this process's memory. */
  redis?: SharedRedis;
  registry?: Registry;
}

export class Quotas {
  private readonly limiters = new Map<string, BurstyRateLimiter>();
  /** The same quotas in this process's memory: the fallback while Redis fails. */
  private readonly local = new Map<string, BurstyRateLimiter>();
  private readonly decisions?: Counter<'client' | 'decision'>;
  private readonly work?: Counter<'client'>;

  constructor(private readonly options: QuotasOptions) {
    if (options.registry) {
      this.decisions = new Counter({
        name: 'quota_decisions_total',
        help: 'Quota decisions, by client (its name in the clients file, or anonymous) and decision (allowed, refused, failed_open).',
        labelNames: ['client', 'decision'],
        registers: [options.registry],
      });
      this.work = new Counter({
        name: 'quota_work_units_total',
        help: 'Units of work charged to quotas, by client (1 per operation plus 1 per 1,000 estimated result digits).',
        labelNames: ['client'],
        registers: [options.registry],
      });
    }
  }

  /** Whether any client has a quota. */
  get enabled(): boolean {
    return this.options.defaults !== undefined || this.options.perClient === true;
  }

  /** A client's quota: its own in the clients file, else the defaults; undefined: none. */
  policyOf(client: ClientIdentity): Policy | undefined {
    const own = client.known;
    if (own?.workPerSecond !== undefined && own.burst !== undefined) return { workPerSecond: own.workPerSecond, burst: own.burst };
    return this.options.defaults;
  }

  /** Charges `units` of work to `client`; undefined when it has no quota. Never rejects. */
  async take(client: ClientIdentity, units: number): Promise<Decision | undefined> {
    const policy = this.policyOf(client);
    if (!policy || units <= 0) return undefined;
    // Work no refill can admit is refused without taking anything: it must not empty the bucket for what could run.
    if (units > policy.burst) {
      this.decisions?.inc({ client: client.label, decision: 'refused' });
      return { allowed: false, policy, remaining: 0, resetSeconds: windowSeconds(policy), retryAfterSeconds: 0, overBurst: true };
    }
    const consume = (limiter: BurstyRateLimiter) => (): Promise<{ res: RateLimiterRes; allowed: boolean }> =>
      limiter.consume(client.quotaKey, units).then(
        (res) => ({ res, allowed: true }),
        (rejection: unknown) => {
          if (rejection instanceof RateLimiterRes) return { res: rejection, allowed: false };
          throw rejection;
        },
      );
    const { redis } = this.options;
    const outcome = redis ? await redis.attempt('quota', consume(this.limiterFor(policy, redis))) : undefined;
    // Redis failed (counted by attempt), or there is none: this process decides.
    const { res, allowed } = outcome?.ok ? outcome.value : await consume(this.limiterFor(policy, undefined))();
    const failedOpen = redis !== undefined && !outcome?.ok;
    this.decisions?.inc({ client: client.label, decision: failedOpen ? 'failed_open' : allowed ? 'allowed' : 'refused' });
    if (allowed) this.work?.inc({ client: client.label }, units);
    const window = windowSeconds(policy);
    return {
      allowed,
      policy,
      remaining: Math.max(0, res.remainingPoints),
      resetSeconds: Math.min(window, Math.max(1, Math.ceil(res.msBeforeNext / 1000))),
      retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
      overBurst: units > policy.burst,
    };
  }

  /** One limiter per distinct policy (in `redis`, or in memory), its keys apart from every other's. */
  private limiterFor(policy: Policy, redis: SharedRedis | undefined): BurstyRateLimiter {
    const id = `${policy.workPerSecond}-${policy.burst}`;
    const limiters = redis ? this.limiters : this.local;
    let limiter = limiters.get(id);
    if (!limiter) {
      const make = (keyPrefix: string, points: number, duration: number) =>
        redis
          ? new RateLimiterRedis({
              storeClient: redis.client,
              useRedisPackage: true,
              rejectIfRedisNotReady: true,
              keyPrefix,
              points,
              duration,
            })
          : new RateLimiterMemory({ keyPrefix, points, duration });
      const prefix = `${redis?.keyPrefix ?? ''}quota:${id}`;
      limiter = new BurstyRateLimiter(
        make(`${prefix}:rate`, policy.workPerSecond, 1),
        make(`${prefix}:burst`, policy.burst, windowSeconds(policy)),
      );
      limiters.set(id, limiter);
    }
    return limiter;
  }
}

/** The seconds the rate takes to earn a whole burst: the burst limiter's window. */
export const windowSeconds = (policy: Policy): number => Math.max(1, Math.ceil(policy.burst / policy.workPerSecond));

/**
 * The IETF RateLimit-Policy and RateLimit headers (draft-ietf-httpapi-ratelimit-headers), and Retry-After when a retry
 * can succeed: the policy "work" allows `burst` units in `w` seconds; `r` are left, whole again in `t` seconds.
 */
export function rateLimitHeaders(decision: Decision): Record<string, string> {
  const headers: Record<string, string> = {
    'ratelimit-policy': `"work";q=${decision.policy.burst};w=${windowSeconds(decision.policy)}`,
    ratelimit: `"work";r=${decision.allowed ? decision.remaining : 0};t=${decision.allowed ? decision.resetSeconds : decision.retryAfterSeconds}`,
  };
  if (!decision.allowed && !decision.overBurst) headers['retry-after'] = String(decision.retryAfterSeconds);
  return headers;
}

/** What a client refused by its quota reads, and how long its refusal is held before it is sent. */
export interface QuotaRefusal {
  /** RATE_LIMITED (429, retry after Retry-After); BAD_USER_INPUT (400) for work over the burst: no retry can succeed. */
  readonly code: 'RATE_LIMITED' | 'BAD_USER_INPUT';
  readonly message: string;
  readonly headers: Record<string, string>;
  /** Seconds to hold it (see Tarpit): Retry-After's; 0 when no retry can help. */
  readonly holdSeconds: number;
}

/** The refusal of `units` of work that `decision` did not allow. */
export function quotaRefusal(decision: Decision, units: number): QuotaRefusal {
  if (decision.overBurst) {
    return {
      code: 'BAD_USER_INPUT',
      message: `this operation costs ${units} units of work, more than this client's burst of ${decision.policy.burst}: it can never be admitted whole; ask for less in one operation`,
      headers: rateLimitHeaders(decision),
      holdSeconds: 0,
    };
  }
  return {
    code: 'RATE_LIMITED',
    message: `this client is over its quota of ${decision.policy.workPerSecond} units of work a second (burst ${decision.policy.burst}); this operation costs ${units}: retry in ${decision.retryAfterSeconds} s`,
    headers: rateLimitHeaders(decision),
    holdSeconds: decision.retryAfterSeconds,
  };
}
