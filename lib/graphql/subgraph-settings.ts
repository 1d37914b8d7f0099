// The settings every subgraph reads: the service's own (HOST, logs, tracing, shutdown), its port, MAX_N, the
// operation limits it enforces, its memory budget, the request timeout, HTTP timeouts and the mode.

import { readInt, readMaxN, readMemoryBudgetBytes, readPort, readString } from '../config';
import { readHttpTimeouts, type HttpTimeouts } from '../http';
import { readServiceSettings, type ServiceSettings } from '../process';
import { readOperationLimits, type OperationLimits } from './operation-limits';

/** Operations that may wait, for memory or for a worker thread, before the next is refused with RESOURCE_EXHAUSTED. */
export const MAX_WAITING_OPERATIONS = 32;

export interface SubgraphSettings extends ServiceSettings {
  readonly port: number;
  /** Largest n (MAX_N). */
  readonly maxN: number;
  /** The gateway's operation limits, enforced again here (those the query planner keeps). */
  readonly limits: Readonly<OperationLimits>;
  /** Most distinct factorials one operation may need (MAX_OPERATION_FACTORIALS). */
  readonly maxOperationFactorials: number;
  /** Bytes of factorial replies and results the process's operations may hold at once (MEMORY_BUDGET_MB). */
  readonly memoryBytes: number;
  /** Bytes of big factorials' prime exponents the process keeps for later requests (EXPONENT_CACHE_MB; 0: none). */
  readonly exponentCacheBytes: number;
  /** Operations that may wait for their share of memory before the next is refused (as many as may wait for a worker). */
  readonly maxWaitingOperations: number;
  /** Longest a request may take (REQUEST_TIMEOUT_MS); the gateway's deadline can only shorten it. */
  readonly requestTimeoutMs: number;
  readonly httpTimeouts: HttpTimeouts;
  /** Anything but NODE_ENV=development: no introspection, no suggestions. */
  readonly production: boolean;
}

/** Whether NODE_ENV asks for development explicitly (introspection, suggestions, Sandbox); anything else is production. */
export function readProduction(env: Readonly<Record<string, string | undefined>>): boolean {
  return readString(env, 'NODE_ENV', 'production') !== 'development';
}

/**
 * Reads the service settings for `name`, its port (`portName`, default `defaultPort`), MAX_N, the MAX_* operation
 * limits, MAX_OPERATION_FACTORIALS, MEMORY_BUDGET_MB, EXPONENT_CACHE_MB, REQUEST_TIMEOUT_MS, the HTTP_*_TIMEOUT_MS settings and NODE_ENV.
 */
export function readSubgraphSettings(env: NodeJS.ProcessEnv, name: string, portName: string, defaultPort: number): SubgraphSettings {
  const requestTimeoutMs = readInt(env, 'REQUEST_TIMEOUT_MS', 30_000, { min: 1, max: 600_000 });
  return {
    ...readServiceSettings(env, name),
    port: readPort(env, portName, defaultPort),
    maxN: readMaxN(env),
    limits: readOperationLimits(env),
    maxOperationFactorials: readInt(env, 'MAX_OPERATION_FACTORIALS', 256, { min: 1, max: 100_000 }),
    memoryBytes: readMemoryBudgetBytes(env),
    exponentCacheBytes: readInt(env, 'EXPONENT_CACHE_MB', 16, { min: 0, max: 65_536 }) * 1024 * 1024,
    maxWaitingOperations: MAX_WAITING_OPERATIONS,
    requestTimeoutMs,
    httpTimeouts: readHttpTimeouts(env, requestTimeoutMs),
    production: readProduction(env),
  };
}

/** The server options every subgraph takes from its settings as they are. */
export function subgraphServerSettings(
  settings: SubgraphSettings,
): Pick<SubgraphSettings, 'requestTimeoutMs' | 'production' | 'limits' | 'httpTimeouts'> {
  const { requestTimeoutMs, production, limits, httpTimeouts } = settings;
  return { requestTimeoutMs, production, limits, httpTimeouts };
}
