// The process family: a service process's life, from its settings to its exit.

// runService: settings, logger, tracing, start-up, signals and shutdown.
export * from './service';
export * from './shutdown';
// HTTP servers bound and closed as promises.
export * from '../http';
