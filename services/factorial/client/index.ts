// The factorial service's client: the only way into the service for other code. The limits, the reply codecs and
// the service definition are the contract's (services/factorial/contract), which the server imports too.

// How to reach the service well: channel options, createFactorialClient, the typed client.
export { createFactorialClient, factorialChannelOptions, type FactorialClientOptions } from './channel';
export type { FactorialClient } from './client';
// Batching: a per-request loader that sends everything one tick asks for in one BatchGetFactorials call.
export { FactorialLoader, type FactorialLoaderOptions, type FetchBatch } from './batch-loader';
export { FactorialBatches, MIN_KEPT_REPLY_BYTES, type FactorialBatchesOptions, type RequestBatchOptions } from './batches';
// Settings: FACTORIAL_ADDRESS and the client's TLS, read the same way by every process that calls the service.
export { readFactorialClientSettings, type FactorialClientSettings } from './settings';
// What callers name from the contract: the representations of a factorial, and the replies.
export { MAX_BATCH_SIZE, Representation, type FactorialMessage, type RepresentationName } from '../contract';
