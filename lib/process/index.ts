// The process family: a service process's life, from its settings to its exit.

// runService: settings, logger, tracing, start-up, signals and shutdown.
export { readServiceSettings, runService, type ServiceSettings } from './service';
