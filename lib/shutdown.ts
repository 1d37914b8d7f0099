// Graceful shutdown on SIGTERM/SIGINT: run the stop steps once, exit 0, or exit 1 if the grace period runs out.

import type { Logger } from './logger';

export interface ShutdownOptions {
  /** How long stop() may take before the process exits anyway (with code 1). */
  graceMs: number;
  logger: Logger;
}

/** Installs the signal handlers; a second signal while stopping exits at once. Only main.ts calls this. */
export function exitOnSignals(stop: () => Promise<void>, options: ShutdownOptions): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      options.logger.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    options.logger.info(`${signal}: draining (grace ${options.graceMs} ms)`);
    const timer = setTimeout(() => {
      options.logger.error(`shutdown did not finish within ${options.graceMs} ms; exiting`);
      process.exit(1);
    }, options.graceMs);
    timer.unref();
    stop().then(
      () => {
        options.logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        options.logger.error('shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Exits with a clear message (no stack) when start-up fails on a setting or a taken port. */
export function exitOnStartupError(error: unknown, logger: Logger): never {
  const message = error instanceof Error ? error.message : String(error);
  logger.error(`cannot start: ${message}`);
  process.exit(1);
}
