// The math subgraph's settings, read from the environment once and validated.

import { readChoice, readInt, readWorkers } from '../../../lib/config';
import { readSubgraphSettings, type SubgraphSettings } from '../../../lib/graphql';
import { readFactorialClientSettings, type FactorialClientSettings } from '../../../services/factorial/client';

export interface MathConfig extends SubgraphSettings {
  readonly factorial: FactorialClientSettings;
  readonly maxResultDigits: number;
  readonly maxOperationDigits: number;
  readonly workers: number | undefined;
  /** Whether worker threads use the GMP addon when it was built ('auto') or always BigInt ('off'). */
  readonly nativeArithmetic: 'auto' | 'off';
}

/** Reads MATH_PORT, HOST, FACTORIAL_ADDRESS and FACTORIAL_TLS_*, MAX_N, MAX_RESULT_DIGITS, MAX_OPERATION_DIGITS, REQUEST_TIMEOUT_MS, MATH_WORKERS, MATH_NATIVE, NODE_ENV, LOG_LEVEL, OTEL_*. */
export function loadMathConfig(env: NodeJS.ProcessEnv): MathConfig {
  return Object.freeze({
    ...readSubgraphSettings(env, 'math', 'MATH_PORT', 4001),
    factorial: readFactorialClientSettings(env),
    maxResultDigits: readInt(env, 'MAX_RESULT_DIGITS', 1_000_000, { min: 1, max: 100_000_000 }),
    maxOperationDigits: readInt(env, 'MAX_OPERATION_DIGITS', 3_000_000, { min: 1, max: 1_000_000_000 }),
    workers: readWorkers(env, 'MATH_WORKERS'),
    nativeArithmetic: readChoice(env, 'MATH_NATIVE', 'auto', ['auto', 'off'] as const),
  });
}
