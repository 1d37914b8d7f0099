// The gateway's settings, read from the environment once and validated.

import { readChoice, readInt, readPort, readString, readUrl } from '../../lib/config';
import { readServiceSettings, type ServiceSettings } from '../../lib/process';
import { projectPath } from '../../lib/config';
import { DEFAULT_LIMITS, type OperationLimits } from './limits';

export interface GatewayConfig extends ServiceSettings {
  readonly port: number;
  readonly mathUrl: string;
  /** 'static' serves supergraph.graphql; 'introspect' composes from the running subgraph (development). */
  readonly supergraph: 'static' | 'introspect';
  readonly supergraphPath: string;
  readonly requestTimeoutMs: number;
  readonly restCacheBytes: number;
  readonly production: boolean;
  readonly bodyLimit: number;
  readonly limits: Readonly<OperationLimits>;
}

/** Reads GATEWAY_PORT, HOST, MATH_URL, SUPERGRAPH, SUPERGRAPH_PATH, REQUEST_TIMEOUT_MS, REST_CACHE_MB, NODE_ENV, MAX_BODY_BYTES, the MAX_* operation limits, LOG_LEVEL, OTEL_*. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  return Object.freeze({
    ...readServiceSettings(env, 'gateway'),
    port: readPort(env, 'GATEWAY_PORT', 4000),
    mathUrl: readUrl(env, 'MATH_URL', 'http://localhost:4001/graphql'),
    supergraph: readChoice(env, 'SUPERGRAPH', 'static', ['static', 'introspect'] as const),
    supergraphPath: readString(env, 'SUPERGRAPH_PATH', projectPath('supergraph.graphql')),
    requestTimeoutMs: readInt(env, 'REQUEST_TIMEOUT_MS', 30_000, { min: 1, max: 600_000 }),
    restCacheBytes: readInt(env, 'REST_CACHE_MB', 16, { min: 0, max: 65_536 }) * 1024 * 1024,
    production: readString(env, 'NODE_ENV', 'development') === 'production',
    bodyLimit: readInt(env, 'MAX_BODY_BYTES', 100 * 1024, { min: 1024, max: 100 * 1024 * 1024 }),
    limits: Object.freeze({
      maxDepth: readInt(env, 'MAX_DEPTH', DEFAULT_LIMITS.maxDepth, { min: 1, max: 1000 }),
      maxAliases: readInt(env, 'MAX_ALIASES', DEFAULT_LIMITS.maxAliases, { min: 0, max: 100_000 }),
      maxRootFields: readInt(env, 'MAX_ROOT_FIELDS', DEFAULT_LIMITS.maxRootFields, { min: 1, max: 100_000 }),
      maxTokens: readInt(env, 'MAX_TOKENS', DEFAULT_LIMITS.maxTokens, { min: 10, max: 1_000_000 }),
      maxDirectives: readInt(env, 'MAX_DIRECTIVES', DEFAULT_LIMITS.maxDirectives, { min: 0, max: 10_000 }),
      maxCost: readInt(env, 'MAX_COST', DEFAULT_LIMITS.maxCost, { min: 1, max: 10_000_000 }),
    }),
  });
}
