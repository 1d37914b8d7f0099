// The fleet's Redis settings: where it is, how keys are kept apart, and how long a call may take.

import { ConfigError, readInt, readString } from '../../../lib/config';

export interface RedisSettings {
  /** redis:// or rediss:// (TLS), with a password as the URL's; undefined: everything stays in this process. */
  readonly url: string | undefined;
  /** What every key starts with, so that several deployments can share one Redis (REDIS_KEY_PREFIX, default "ncr:"). */
  readonly keyPrefix: string;
  /** Longest a Redis call may take before the request goes on without it (REDIS_TIMEOUT_MS, default 100 ms). */
  readonly timeoutMs: number;
}

/** Reads REDIS_URL, REDIS_KEY_PREFIX and REDIS_TIMEOUT_MS. */
export function readRedisSettings(env: Readonly<Record<string, string | undefined>>): RedisSettings {
  const url = env.REDIS_URL?.trim() || undefined;
  if (url !== undefined) {
    let protocol = '';
    try {
      protocol = new URL(url).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'redis:' && protocol !== 'rediss:') {
      throw new ConfigError(
        `REDIS_URL must be a redis:// or rediss:// URL, but got: ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@'))}`,
      );
    }
  }
  const keyPrefix = readString(env, 'REDIS_KEY_PREFIX', 'ncr:');
  if (!/^[\w.:-]{1,64}$/.test(keyPrefix)) {
    throw new ConfigError(`REDIS_KEY_PREFIX must be 1 to 64 letters, digits or _ . : -, but got: ${JSON.stringify(keyPrefix)}`);
  }
  return Object.freeze({ url, keyPrefix, timeoutMs: readInt(env, 'REDIS_TIMEOUT_MS', 100, { min: 1, max: 10_000 }) });
}
