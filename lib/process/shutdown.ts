// Graceful shutdown on SIGTERM/SIGINT: announce, drain, stop, exit 0; or exit 1 if the grace period runs out.

import type { ShutdownSettings } from '../config';
import type { Logger } from '../observability';

export interface ShutdownOptions extends ShutdownSettings {
  logger: Logger;
}

export interface ShutdownSteps {
  /** Report not-ready (health, readiness) while still serving. */
  announce(): void;
  /** Stop taking work, finish what is in flight within `graceMs`, release everything. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Installs the SIGTERM/SIGINT handlers (only runService in service.ts calls this): announce, keep serving for the
 * drain delay, stop, exit 0; exit 1 if the grace period runs out or a second signal comes.
 */
export function exitOnSignals(steps: ShutdownSteps, options: ShutdownOptions): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      options.logger.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    options.logger.info(`${signal}: not ready; draining (delay ${options.delayMs} ms, grace ${options.graceMs} ms)`);
    const timer = setTimeout(() => {
      options.logger.error(`shutdown did not finish within ${options.graceMs} ms; exiting`);
      process.exit(1);
    }, options.graceMs);
    timer.unref();
    steps.announce();
    new Promise((resolve) => setTimeout(resolve, options.delayMs))
      // Leave a little of the grace for closing sockets and the exit itself.
      .then(() => steps.stop(Math.max(0, options.graceMs - options.delayMs - 500)))
      .then(
        () => {
          options.logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          options.logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** The exit code of a process that crashed (EX_SOFTWARE): its supervisor restarts it; a clean stop exits 0. */
export const CRASH_EXIT_CODE = 70;

/**
 * An uncaught exception or an unhandled rejection leaves a process in a state nobody can vouch for: it is logged
 * with its stack (fatal), the process reports not ready at once, and exits CRASH_EXIT_CODE for its supervisor to
 * restart, rather than serve on as a zombie or vanish without a word.
 */
export function exitOnCrash(logger: () => Logger, announce: () => void): void {
  let crashed = false;
  const crash = (kind: string) => (error: unknown) => {
    if (crashed) return;
    crashed = true;
    try {
      logger().fatal({ err: error }, `${kind}: exiting with code ${CRASH_EXIT_CODE}`);
      announce();
    } finally {
      process.exit(CRASH_EXIT_CODE);
    }
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled rejection'));
}

/** Exits with a clear message (no stack) when start-up fails on a setting or a taken port. */
export function exitOnStartupError(error: unknown, logger: Logger): never {
  const message = error instanceof Error ? error.message : String(error);
  logger.error(`cannot start: ${message}`);
  process.exit(1);
}
