// The primes subgraph's settings, read from the environment once and validated.

import { readChoice, readInt, readWorkers } from '../../../lib/config';
import { readSubgraphSettings, type SubgraphSettings } from '../../../lib/graphql';
import { readFactorialClientSettings, type FactorialClientSettings } from '../../../services/factorial/client';

export interface PrimesConfig extends SubgraphSettings {
  readonly factorial: FactorialClientSettings;
  readonly maxOperationPrimes: number;
  /** Worker threads for exact digit counts (PRIMES_WORKERS, default 1: the logarithm decides almost all). */
  readonly workers: number;
  /** Whether worker threads use the GMP addon when it was built ('auto') or always BigInt ('off'). */
  readonly nativeArithmetic: 'auto' | 'off';
}

/**
 * Reads PRIMES_PORT, HOST, FACTORIAL_ADDRESS and FACTORIAL_TLS_*, MAX_N, MAX_OPERATION_PRIMES, the other limits every
 * subgraph reads, PRIMES_WORKERS, PRIMES_NATIVE, NODE_ENV, LOG_LEVEL, OTEL_*.
 */
export function loadPrimesConfig(env: NodeJS.ProcessEnv): PrimesConfig {
  return Object.freeze({
    ...readSubgraphSettings(env, 'primes', 'PRIMES_PORT', 4002),
    factorial: readFactorialClientSettings(env),
    maxOperationPrimes: readInt(env, 'MAX_OPERATION_PRIMES', 500_000, { min: 1, max: 100_000_000 }),
    workers: readWorkers(env, 'PRIMES_WORKERS') ?? 1,
    nativeArithmetic: readChoice(env, 'PRIMES_NATIVE', 'auto', ['auto', 'off'] as const),
  });
}
