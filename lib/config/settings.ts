// Typed readers for settings from the environment: each says what it expected and what it got.

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** An integer setting in [min, max], or the default when unset or empty. */
export function readInt(env: Env, name: string, fallback: number, range: { min: number; max?: number }): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const value = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${range.min} to ${max}, but got: ${JSON.stringify(raw)}`);
  }
  return value;
}

/** A string setting, or the default when unset or empty. */
export function readString(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? fallback : raw;
}

/** One of a fixed set of values. */
export function readChoice<T extends string>(env: Env, name: string, fallback: T, choices: readonly T[]): T {
  const raw = readString(env, name, fallback);
  if (!(choices as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${choices.join(', ')}, but got: ${JSON.stringify(raw)}`);
  }
  return raw as T;
}

/** A port number; 0 asks the system for a free one. */
export function readPort(env: Env, name: string, fallback: number): number {
  return readInt(env, name, fallback, { min: 0, max: 65535 });
}

/** An http(s) URL. */
export function readUrl(env: Env, name: string, fallback: string): string {
  const raw = readString(env, name, fallback);
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, but got: ${JSON.stringify(raw)}`);
  }
  return raw;
}

export interface ShutdownSettings {
  /** Total time from the signal to exit: the drain delay, then finishing in-flight work. */
  readonly graceMs: number;
  /** Time spent reporting not-ready while still serving, so that load balancers stop sending work first. */
  readonly delayMs: number;
}

/** SHUTDOWN_GRACE_MS (default 10,000) and SHUTDOWN_DELAY_MS (default 1,000, at most the grace). */
export function readShutdown(env: Env): ShutdownSettings {
  const graceMs = readInt(env, 'SHUTDOWN_GRACE_MS', 10_000, { min: 0, max: 600_000 });
  const delayMs = readInt(env, 'SHUTDOWN_DELAY_MS', Math.min(1_000, graceMs), { min: 0, max: graceMs });
  return Object.freeze({ graceMs, delayMs });
}

/** MAX_N, the largest n any process serves (default 1,000,000): the factorial service and the subgraphs read the same one. */
export function readMaxN(env: Env): number {
  return readInt(env, 'MAX_N', 1_000_000, { min: 1, max: 10_000_000 });
}

/** MEMORY_BUDGET_MB (default 256), in bytes: what a process's calls or operations in flight may hold at once. */
export function readMemoryBudgetBytes(env: Env): number {
  return readInt(env, 'MEMORY_BUDGET_MB', 256, { min: 1, max: 65_536 }) * 1024 * 1024;
}

/** A worker-thread count (`name`, 1 to 256); unset or 0: undefined, for the pool's default (cores minus one). */
export function readWorkers(env: Env, name: string): number | undefined {
  const workers = readInt(env, name, 0, { min: 0, max: 256 });
  return workers === 0 ? undefined : workers;
}
