// The quota settings: the work per second and burst of every client the clients file does not give its own, and the
// largest result the subgraphs admit (a larger one is refused there, and costs nothing here).

import { ConfigError, readInt } from '../../../lib/config';

export interface QuotaSettings {
  /** Units of work a second for clients without their own quota (RATE_LIMIT_WORK_PER_S); undefined: no quota. */
  readonly workPerSecond: number | undefined;
  /** The most such a client may spend at once (RATE_LIMIT_BURST; default 10 seconds' worth). */
  readonly burst: number | undefined;
  /** MAX_RESULT_DIGITS, as the math subgraph reads it (default 1,000,000). */
  readonly maxResultDigits: number;
  /** Longest a refusal over quota is held before it is sent (RATE_LIMIT_HOLD_MS, default 1,000; 0: none). */
  readonly holdMs: number;
}

/** Reads RATE_LIMIT_WORK_PER_S, RATE_LIMIT_BURST, RATE_LIMIT_HOLD_MS and MAX_RESULT_DIGITS. */
export function readQuotaSettings(env: Readonly<Record<string, string | undefined>>): QuotaSettings {
  const workPerSecond = readInt(env, 'RATE_LIMIT_WORK_PER_S', 0, { min: 0, max: 1_000_000_000 }) || undefined;
  const burst = readInt(env, 'RATE_LIMIT_BURST', 0, { min: 0, max: 1_000_000_000 }) || undefined;
  if (burst !== undefined && workPerSecond === undefined) throw new ConfigError('RATE_LIMIT_BURST needs RATE_LIMIT_WORK_PER_S');
  return Object.freeze({
    workPerSecond,
    burst: workPerSecond === undefined ? undefined : (burst ?? 10 * workPerSecond),
    maxResultDigits: readInt(env, 'MAX_RESULT_DIGITS', 1_000_000, { min: 1, max: 100_000_000 }),
    holdMs: readInt(env, 'RATE_LIMIT_HOLD_MS', 1000, { min: 0, max: 60_000 }),
  });
}
