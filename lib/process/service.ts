// What every service process shares: the settings all three read, and the life of the process around its own
// start-up (logger, tracing, signals, shutdown, a clear exit when start-up fails).

import { readChoice, readShutdown, readString, type ShutdownSettings } from '../config';
import { forgetEventLoopBlocking } from '../observability';
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from '../observability';
import { exitOnCrash, exitOnSignals, exitOnStartupError, type ShutdownSteps } from './shutdown';
import { readTracingSettings, startTracing, type TracingSettings } from '../observability';

type Env = Readonly<Record<string, string | undefined>>;

export interface ServiceSettings {
  /** The address the process binds (HOST). */
  readonly host: string;
  readonly shutdown: ShutdownSettings;
  readonly logLevel: LogLevel;
  /** Tracing, from the standard OTEL_* settings (off unless an exporter or endpoint is set). */
  readonly tracing: TracingSettings;
}

/** Reads HOST, SHUTDOWN_GRACE_MS, SHUTDOWN_DELAY_MS, LOG_LEVEL and OTEL_* for the service `name`. */
export function readServiceSettings(env: Env, name: string): ServiceSettings {
  return {
    host: readString(env, 'HOST', '127.0.0.1'),
    shutdown: readShutdown(env),
    logLevel: readChoice(env, 'LOG_LEVEL', 'info', LOG_LEVELS),
    tracing: readTracingSettings(env, name),
  };
}

/**
 * Runs a service process: reads its settings, makes its logger, starts tracing, calls `start`, then on
 * SIGTERM/SIGINT runs the steps `start` returned and exports the last spans. A bad setting or a failed
 * start-up (a taken port) exits 1 with a one-line message; an uncaught exception or an unhandled rejection,
 * from then on, exits 70 after logging it with its stack (see exitOnCrash).
 */
export async function runService<C extends ServiceSettings>(
  name: string,
  load: (env: NodeJS.ProcessEnv) => C,
  start: (config: C, logger: Logger) => Promise<ShutdownSteps>,
): Promise<void> {
  let logger = createLogger(name);
  let steps: ShutdownSteps | undefined;
  exitOnCrash(
    () => logger,
    () => steps?.announce(),
  );
  try {
    const config = load(process.env);
    logger = createLogger(name, config.logLevel);
    const tracing = await startTracing(config.tracing, logger);
    steps = await start(config, logger);
    const started = steps;
    // Start-up held the event loop before any request could arrive; the blocking metric is about serving.
    forgetEventLoopBlocking();
    exitOnSignals(
      {
        announce: () => started.announce(),
        async stop(graceMs) {
          await started.stop(graceMs);
          await tracing.shutdown();
        },
      },
      { ...config.shutdown, logger },
    );
  } catch (error) {
    exitOnStartupError(error, logger);
  }
}
