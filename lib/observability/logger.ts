// Structured logs: one JSON object per line on stdout (pino), with the service's name; a request's lines come
// from a child logger bound to its trace id, span id and request id (see logFields in tracing/spans.ts).
// `npm start` pretty-prints them; LOG_LEVEL picks the level.

import pino from 'pino';

export type Logger = pino.Logger;

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LEVELS)[number];
export const LOG_LEVELS: readonly LogLevel[] = LEVELS;

/**
 * A logger for the service `name`. Levels are written as words ("level":"info"), times as ISO 8601, errors
 * passed as `{ err }` with their type, message and stack (logs stay on the operator's side; clients never
 * see a stack). `destination` defaults to stdout.
 */
export function createLogger(name: string, level: LogLevel = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: name, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that drops everything, for tests and embedded use. */
export const silentLogger: Logger = pino({ level: 'silent' });
