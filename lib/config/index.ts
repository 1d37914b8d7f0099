// The config family: settings read from the environment (typed, validated, once) and where the project's files are.

export {
  ConfigError,
  readChoice,
  readInt,
  readMaxN,
  readMemoryBudgetBytes,
  readPort,
  readShutdown,
  readString,
  readUrl,
  readWorkers,
  type ShutdownSettings,
} from './settings';
export { projectPath } from './paths';
