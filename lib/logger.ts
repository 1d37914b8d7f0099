// A minimal leveled logger writing one line per event to stderr, prefixed by the process's name.

export interface Logger {
  debug(message: string, detail?: unknown): void;
  info(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LEVELS)[number];
export const LOG_LEVELS: readonly LogLevel[] = LEVELS;

/** A logger for `name` that drops events below `level`; errors print their stack. */
export function createLogger(name: string, level: LogLevel = 'info'): Logger {
  const threshold = LEVELS.indexOf(level);
  const write = (at: LogLevel, message: string, detail?: unknown): void => {
    if (LEVELS.indexOf(at) < threshold) return;
    const extra =
      detail instanceof Error ? `\n${detail.stack ?? detail.message}` : detail === undefined ? '' : ` ${JSON.stringify(detail)}`;
    process.stderr.write(`${new Date().toISOString()} ${at.toUpperCase().padEnd(5)} [${name}] ${message}${extra}\n`);
  };
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}

/** A logger that drops everything, for tests and embedded use. */
export const silentLogger: Logger = createLogger('silent', 'silent');
