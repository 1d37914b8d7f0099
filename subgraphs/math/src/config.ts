// The math subgraph's settings, read from the environment once and validated.

import { ConfigError, readChoice, readInt, readPort, readString } from '../../../lib/config';
import { readPemPair, readPemSetting, type ClientTls } from '../../../lib/grpc';
import { readServiceSettings, type ServiceSettings } from '../../../lib/process';

export interface MathConfig extends ServiceSettings {
  readonly port: number;
  readonly factorialAddress: string;
  readonly maxN: number;
  readonly maxResultDigits: number;
  readonly maxOperationDigits: number;
  readonly requestTimeoutMs: number;
  readonly workers: number | undefined;
  /** Whether worker threads use the GMP addon when it was built ('auto') or always BigInt ('off'). */
  readonly nativeArithmetic: 'auto' | 'off';
  readonly production: boolean;
  readonly factorialTls: ClientTls | undefined;
}

/** Reads MATH_PORT, HOST, FACTORIAL_ADDRESS, MAX_N, MAX_RESULT_DIGITS, MAX_OPERATION_DIGITS, REQUEST_TIMEOUT_MS, MATH_WORKERS, MATH_NATIVE, NODE_ENV, LOG_LEVEL, OTEL_*. */
export function loadMathConfig(env: NodeJS.ProcessEnv): MathConfig {
  const workers = readInt(env, 'MATH_WORKERS', 0, { min: 0, max: 256 });
  return Object.freeze({
    ...readServiceSettings(env, 'math'),
    port: readPort(env, 'MATH_PORT', 4001),
    factorialAddress: readString(env, 'FACTORIAL_ADDRESS', 'localhost:50051'),
    maxN: readInt(env, 'MAX_N', 1_000_000, { min: 1, max: 10_000_000 }),
    maxResultDigits: readInt(env, 'MAX_RESULT_DIGITS', 1_000_000, { min: 1, max: 100_000_000 }),
    maxOperationDigits: readInt(env, 'MAX_OPERATION_DIGITS', 3_000_000, { min: 1, max: 1_000_000_000 }),
    requestTimeoutMs: readInt(env, 'REQUEST_TIMEOUT_MS', 30_000, { min: 1, max: 600_000 }),
    workers: workers === 0 ? undefined : workers,
    nativeArithmetic: readChoice(env, 'MATH_NATIVE', 'auto', ['auto', 'off'] as const),
    production: readString(env, 'NODE_ENV', 'development') === 'production',
    factorialTls: readClientTls(env),
  });
}

/** FACTORIAL_TLS_CA turns on TLS to the factorial service; FACTORIAL_TLS_CLIENT_CERT and _KEY add a client certificate (mutual TLS). */
function readClientTls(env: NodeJS.ProcessEnv): ClientTls | undefined {
  const ca = readPemSetting(env, 'FACTORIAL_TLS_CA');
  const pair = readPemPair(env, 'FACTORIAL_TLS_CLIENT_CERT', 'FACTORIAL_TLS_CLIENT_KEY');
  if (pair && !ca) throw new ConfigError('FACTORIAL_TLS_CLIENT_CERT and FACTORIAL_TLS_CLIENT_KEY need FACTORIAL_TLS_CA');
  return ca ? { ca, ...pair } : undefined;
}
