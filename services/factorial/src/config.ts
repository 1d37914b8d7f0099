// The factorial service's settings, read from the environment once and validated.

import { readServiceSettings, type ServiceSettings } from '../../../lib/process';
import { ConfigError, readInt, readMaxN, readMemoryBudgetBytes, readPort, readWorkers } from '../../../lib/config';
import { readPemPair, readPemSetting, type ServerTls } from '../../../lib/grpc';

export interface FactorialConfig extends ServiceSettings {
  readonly port: number;
  readonly metricsPort: number;
  readonly maxN: number;
  readonly workers: number | undefined;
  readonly maxQueue: number;
  readonly cacheBytes: number;
  readonly memoryBytes: number;
  readonly tls: ServerTls | undefined;
}

/** Reads FACTORIAL_* settings (TLS included), HOST, MAX_N, LOG_LEVEL and OTEL_*; throws ConfigError naming the bad one. */
export function loadFactorialConfig(env: NodeJS.ProcessEnv): FactorialConfig {
  return Object.freeze({
    ...readServiceSettings(env, 'factorial'),
    port: readPort(env, 'FACTORIAL_PORT', 50051),
    metricsPort: readPort(env, 'FACTORIAL_METRICS_PORT', 9464),
    maxN: readMaxN(env),
    workers: readWorkers(env, 'FACTORIAL_WORKERS'),
    maxQueue: readInt(env, 'FACTORIAL_MAX_QUEUE', 64, { min: 0, max: 100_000 }),
    cacheBytes: readInt(env, 'FACTORIAL_CACHE_MB', 128, { min: 0, max: 65_536 }) * 1024 * 1024,
    memoryBytes: readMemoryBudgetBytes(env),
    tls: readServerTls(env),
  });
}

/** The settings of an empty environment: the defaults, for servers built without a process (tests, benchmarks). */
export const FACTORIAL_DEFAULTS: FactorialConfig = loadFactorialConfig({});

/** FACTORIAL_TLS_CERT and FACTORIAL_TLS_KEY turn on TLS; FACTORIAL_TLS_CLIENT_CA also requires client certificates. */
function readServerTls(env: NodeJS.ProcessEnv): ServerTls | undefined {
  const pair = readPemPair(env, 'FACTORIAL_TLS_CERT', 'FACTORIAL_TLS_KEY');
  const clientCa = readPemSetting(env, 'FACTORIAL_TLS_CLIENT_CA');
  if (clientCa && !pair) throw new ConfigError('FACTORIAL_TLS_CLIENT_CA needs FACTORIAL_TLS_CERT and FACTORIAL_TLS_KEY');
  return pair ? { ...pair, clientCa } : undefined;
}
