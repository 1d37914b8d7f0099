// The factorial service's client: the only way into the service for other code. Its server imports the contract
// from here too, so every limit is written once.

// The contract: the service's name, its limits, the size of a reply, the representations.
export * from './contract';
// The wire: ts-proto's messages read and written by fast codecs, and the typed client on them.
export * from './codec';
// How to reach the service well: channel options, createFactorialClient.
export * from './channel';
// Batching: a per-request loader that sends everything one tick asks for in one BatchGetFactorials call.
export * from './batch-loader';
export * from './batches';
// Settings: FACTORIAL_ADDRESS and the client's TLS, read the same way by every process that calls the service.
export * from './settings';
