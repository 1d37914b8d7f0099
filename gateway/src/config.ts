// The gateway's settings, read from the environment once and validated.

import { isIP } from 'node:net';
import { ConfigError, projectPath, readChoice, readInt, readPort, readString, readUrl } from '../../lib/config';
import { readOperationLimits, readProduction, type OperationLimits } from '../../lib/graphql';
import { readHttpTimeouts, type HttpTimeouts } from '../../lib/http';
import { readServiceSettings, type ServiceSettings } from '../../lib/process';
import { readClientsFile, type KnownClient } from './clients';
import { readQuotaSettings, type QuotaSettings } from './quotas';
import { readRedisSettings, type RedisSettings } from './redis';
import type { PersistedDocumentsMode } from './trusted-documents';

export interface GatewayConfig extends ServiceSettings {
  readonly port: number;
  /** Where /metrics is served: a port of its own, not published with the public one. */
  readonly metricsPort: number;
  /** Each subgraph's /graphql, by its name in the supergraph. */
  readonly subgraphs: Readonly<Record<string, string>>;
  /** 'static' serves supergraph.graphql; 'introspect' composes from the running subgraphs (development). */
  readonly supergraph: 'static' | 'introspect';
  readonly supergraphPath: string;
  readonly requestTimeoutMs: number;
  readonly httpTimeouts: HttpTimeouts;
  /** Bytes of answers kept, GraphQL's and REST's (RESPONSE_CACHE_MB). */
  readonly responseCacheBytes: number;
  /** Bytes the subgraphs' answers to one operation may take in all (MAX_RESPONSE_BYTES). */
  readonly maxResponseBytes: number;
  /** Anything but NODE_ENV=development: no introspection, no suggestions, no Sandbox. */
  readonly production: boolean;
  readonly bodyLimit: number;
  readonly limits: Readonly<OperationLimits>;
  /** Origins whose pages may call the API from a browser: '*' for any (the default), or a list. */
  readonly corsOrigins: '*' | readonly string[];
  /** The fleet's Redis (REDIS_URL, REDIS_KEY_PREFIX, REDIS_TIMEOUT_MS). */
  readonly redis: RedisSettings;
  /** The clients file's clients (CLIENTS_FILE); none when unset. */
  readonly clients: readonly KnownClient[];
  /** Addresses or CIDR ranges of proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES); none by default. */
  readonly trustedProxies: readonly string[];
  /** Quotas of work (RATE_LIMIT_WORK_PER_S, RATE_LIMIT_BURST), and MAX_RESULT_DIGITS. */
  readonly quotas: QuotaSettings;
  /** Trusted documents: the persisted query manifest (PERSISTED_DOCUMENTS_FILE) and its mode (PERSISTED_DOCUMENTS_MODE). */
  readonly persistedDocuments: { readonly mode: PersistedDocumentsMode; readonly file: string | undefined };
}

/** PERSISTED_DOCUMENTS_MODE (off, log, safelist, ids-only; default off) and PERSISTED_DOCUMENTS_FILE, which every mode but off needs. */
function readPersistedDocuments(env: NodeJS.ProcessEnv): GatewayConfig['persistedDocuments'] {
  const mode = readChoice(env, 'PERSISTED_DOCUMENTS_MODE', 'off', ['off', 'log', 'safelist', 'ids-only'] as const);
  const file = env.PERSISTED_DOCUMENTS_FILE?.trim() || undefined;
  if (mode !== 'off' && !file)
    throw new ConfigError(`PERSISTED_DOCUMENTS_MODE=${mode} needs PERSISTED_DOCUMENTS_FILE (a persisted query manifest)`);
  return Object.freeze({ mode, file });
}

/** TRUSTED_PROXIES: addresses or CIDR ranges (10.0.0.0/8, 127.0.0.1, ::1), separated by commas. */
function readTrustedProxies(env: NodeJS.ProcessEnv): readonly string[] {
  const raw = readString(env, 'TRUSTED_PROXIES', '');
  if (!raw) return [];
  const entries = raw.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address, bits, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const prefixOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!family || !prefixOk || rest.length > 0) {
      throw new ConfigError(`TRUSTED_PROXIES must be addresses or CIDR ranges separated by commas, but got: ${JSON.stringify(entry)}`);
    }
  }
  return Object.freeze(entries);
}

/** CORS_ORIGINS: '*' (the default), or origins separated by commas (https://example.com,http://localhost:5173). */
function readCorsOrigins(env: NodeJS.ProcessEnv): '*' | readonly string[] {
  const raw = readString(env, 'CORS_ORIGINS', '*');
  if (raw === '*') return '*';
  const origins = raw.split(',').map((origin) => origin.trim());
  for (const origin of origins) {
    let valid = false;
    try {
      const url = new URL(origin);
      valid = (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin;
    } catch {
      // reported below
    }
    if (!valid)
      throw new ConfigError(
        `CORS_ORIGINS must be * or origins (scheme://host[:port]) separated by commas, but got: ${JSON.stringify(origin)}`,
      );
  }
  return Object.freeze(origins);
}

/**
 * Reads GATEWAY_PORT, GATEWAY_METRICS_PORT, HOST, MATH_URL, PRIMES_URL, SUPERGRAPH, SUPERGRAPH_PATH, REQUEST_TIMEOUT_MS, the
 * HTTP_*_TIMEOUT_MS settings, RESPONSE_CACHE_MB (or its former name REST_CACHE_MB), MAX_RESPONSE_MB, NODE_ENV, MAX_BODY_BYTES, the MAX_* operation limits, CORS_ORIGINS, REDIS_URL,
 * REDIS_KEY_PREFIX, REDIS_TIMEOUT_MS, CLIENTS_FILE, TRUSTED_PROXIES, RATE_LIMIT_WORK_PER_S, RATE_LIMIT_BURST, RATE_LIMIT_HOLD_MS, MAX_RESULT_DIGITS, PERSISTED_DOCUMENTS_MODE, PERSISTED_DOCUMENTS_FILE, LOG_LEVEL, OTEL_*.
 */
export function loadGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  const requestTimeoutMs = readInt(env, 'REQUEST_TIMEOUT_MS', 30_000, { min: 1, max: 600_000 });
  return Object.freeze({
    ...readServiceSettings(env, 'gateway'),
    port: readPort(env, 'GATEWAY_PORT', 4000),
    metricsPort: readPort(env, 'GATEWAY_METRICS_PORT', 9465),
    subgraphs: Object.freeze({
      math: readUrl(env, 'MATH_URL', 'http://localhost:4001/graphql'),
      primes: readUrl(env, 'PRIMES_URL', 'http://localhost:4002/graphql'),
    }),
    supergraph: readChoice(env, 'SUPERGRAPH', 'static', ['static', 'introspect'] as const),
    supergraphPath: readString(env, 'SUPERGRAPH_PATH', projectPath('supergraph.graphql')),
    requestTimeoutMs,
    httpTimeouts: readHttpTimeouts(env, requestTimeoutMs),
    // REST_CACHE_MB is the setting's former name (it sized a cache of REST answers alone); RESPONSE_CACHE_MB wins.
    responseCacheBytes:
      readInt(env, env.RESPONSE_CACHE_MB === undefined && env.REST_CACHE_MB !== undefined ? 'REST_CACHE_MB' : 'RESPONSE_CACHE_MB', 32, {
        min: 0,
        max: 65_536,
      }) *
      1024 *
      1024,
    maxResponseBytes: readInt(env, 'MAX_RESPONSE_MB', 16, { min: 1, max: 1024 }) * 1024 * 1024,
    production: readProduction(env),
    bodyLimit: readInt(env, 'MAX_BODY_BYTES', 100 * 1024, { min: 1024, max: 100 * 1024 * 1024 }),
    limits: readOperationLimits(env),
    corsOrigins: readCorsOrigins(env),
    redis: readRedisSettings(env),
    clients: env.CLIENTS_FILE ? readClientsFile(env.CLIENTS_FILE) : [],
    trustedProxies: readTrustedProxies(env),
    quotas: readQuotaSettings(env),
    persistedDocuments: readPersistedDocuments(env),
  });
}
