// The settings every subgraph reads: the service's own (HOST, logs, tracing, shutdown), its port, MAX_N, the
// request timeout and production mode.

import { readInt, readMaxN, readPort, readString } from '../config';
import { readServiceSettings, type ServiceSettings } from '../process';

export interface SubgraphSettings extends ServiceSettings {
  readonly port: number;
  /** Largest n (MAX_N). */
  readonly maxN: number;
  /** Longest a request may take (REQUEST_TIMEOUT_MS); the gateway's deadline can only shorten it. */
  readonly requestTimeoutMs: number;
  /** NODE_ENV=production. */
  readonly production: boolean;
}

/** Reads the service settings for `name`, its port (`portName`, default `defaultPort`), MAX_N, REQUEST_TIMEOUT_MS and NODE_ENV. */
export function readSubgraphSettings(env: NodeJS.ProcessEnv, name: string, portName: string, defaultPort: number): SubgraphSettings {
  return {
    ...readServiceSettings(env, name),
    port: readPort(env, portName, defaultPort),
    maxN: readMaxN(env),
    requestTimeoutMs: readInt(env, 'REQUEST_TIMEOUT_MS', 30_000, { min: 1, max: 600_000 }),
    production: readString(env, 'NODE_ENV', 'development') === 'production',
  };
}
