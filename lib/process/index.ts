// The process family: a service process's life, from its settings to its exit.

// runService: settings, logger, tracing, start-up, signals and shutdown.
export { readServiceSettings, runService, type ServiceSettings } from './service';
// The node flags every service process runs with (npm start, the harness, the container image).
export { SERVICE_NODE_FLAGS } from './node-flags';
