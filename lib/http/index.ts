// The HTTP family: what every HTTP server of the project shares, below GraphQL.

// Servers bound and closed as promises.
export { closeHttp, listenHttp, urlHost } from './listen';
// Timeouts at every stage of a request, and the send timeout for clients that stop reading.
export {
  createTimedServer,
  defaultHttpTimeouts,
  guardSlowClients,
  type HttpTimeouts,
  readHttpTimeouts,
  timedFastifyOptions,
} from './timeouts';
// The JSON shape of refusals made below GraphQL (unknown routes, malformed bodies).
export { errorBody, jsonErrorHandlers } from './errors';
// How deep a request's JSON may nest, checked on its text before anything walks it.
export { guardJsonDepth, jsonDeeperThan, JsonTooDeepError, MAX_JSON_DEPTH } from './json-depth';
