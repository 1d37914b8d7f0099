// The factorial service's settings, read from the environment once and validated.

import { readServiceSettings, type ServiceSettings } from '../../../lib/process';
import { ConfigError, readInt, readPort } from '../../../lib/config';
import { readPemPair, readPemSetting, type ServerTls } from '../../../lib/grpc';

export interface FactorialConfig extends ServiceSettings {
  readonly port: number;
  readonly metricsPort: number;
  readonly maxN: number;
  readonly workers: number | undefined;
  readonly maxQueue: number;
  readonly cacheBytes: number;
  readonly tls: ServerTls | undefined;
}

/** Reads FACTORIAL_* settings (TLS included), HOST, MAX_N, LOG_LEVEL and OTEL_*; throws ConfigError naming the bad one. */
export function loadFactorialConfig(env: NodeJS.ProcessEnv): FactorialConfig {
  const workers = readInt(env, 'FACTORIAL_WORKERS', 0, { min: 0, max: 256 });
  return Object.freeze({
    ...readServiceSettings(env, 'factorial'),
    port: readPort(env, 'FACTORIAL_PORT', 50051),
    metricsPort: readPort(env, 'FACTORIAL_METRICS_PORT', 9464),
    maxN: readInt(env, 'MAX_N', 1_000_000, { min: 1, max: 10_000_000 }),
    workers: workers === 0 ? undefined : workers,
    maxQueue: readInt(env, 'FACTORIAL_MAX_QUEUE', 64, { min: 0, max: 100_000 }),
    cacheBytes: readInt(env, 'FACTORIAL_CACHE_MB', 128, { min: 0, max: 65_536 }) * 1024 * 1024,
    tls: readServerTls(env),
  });
}

/** FACTORIAL_TLS_CERT and FACTORIAL_TLS_KEY turn on TLS; FACTORIAL_TLS_CLIENT_CA also requires client certificates. */
function readServerTls(env: NodeJS.ProcessEnv): ServerTls | undefined {
  const pair = readPemPair(env, 'FACTORIAL_TLS_CERT', 'FACTORIAL_TLS_KEY');
  const clientCa = readPemSetting(env, 'FACTORIAL_TLS_CLIENT_CA');
  if (clientCa && !pair) throw new ConfigError('FACTORIAL_TLS_CLIENT_CA needs FACTORIAL_TLS_CERT and FACTORIAL_TLS_KEY');
  return pair ? { ...pair, clientCa } : undefined;
}
