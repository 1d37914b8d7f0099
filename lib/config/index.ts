// The config family: settings read from the environment (typed, validated, once) and where the project's files are.

export * from './settings';
export * from './paths';
