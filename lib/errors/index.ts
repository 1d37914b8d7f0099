// The error codes a client can see, in one registry: each with its HTTP status, whose fault it is, whether
// retrying can help, and its default message. GraphQL answers, REST answers, logs, metrics and the README's
// table all read it (a test keeps the README equal to it). No GraphQL or gRPC here: every process imports it.

/** Whose doing a failure is: the client's request, or our side (a dependency down, saturation, a bug). */
export type Fault = 'client' | 'server';

export interface ErrorSpec {
  /** The HTTP status of a REST answer (and of a GraphQL answer that failed as a whole) with this code. */
  readonly status: number;
  readonly fault: Fault;
  /** Whether the same request may succeed later (answers then carry `Retry-After`). */
  readonly retryable: boolean;
  /** What a client reads when nothing more specific is said. */
  readonly message: string;
}

const spec = (status: number, fault: Fault, retryable: boolean, message: string): ErrorSpec =>
  Object.freeze({ status, fault, retryable, message });

/** Every code, in the order the README lists them. */
export const ERRORS = Object.freeze({
  // The client's: the same request will fail again.
  BAD_USER_INPUT: spec(400, 'client', false, 'the arguments are not valid'),
  GRAPHQL_PARSE_FAILED: spec(400, 'client', false, 'the document is not valid GraphQL'),
  GRAPHQL_VALIDATION_FAILED: spec(400, 'client', false, 'the operation is not valid against the schema or the limits'),
  OPERATION_RESOLUTION_FAILURE: spec(400, 'client', false, 'the operation to run cannot be found in the document'),
  BAD_REQUEST: spec(400, 'client', false, 'the HTTP request is malformed'),
  PERSISTED_QUERY_NOT_FOUND: spec(200, 'client', false, 'the persisted query is not known: send it with its hash'),
  PERSISTED_QUERY_NOT_SUPPORTED: spec(200, 'client', false, 'persisted queries are not supported here'),
  PERSISTED_QUERY_NOT_IN_LIST: spec(400, 'client', false, 'this operation is not in the persisted query list of this API'),
  PERSISTED_QUERY_ID_REQUIRED: spec(400, 'client', false, 'this API serves persisted operations by id only'),
  NOT_FOUND: spec(404, 'client', false, 'not found'),
  UNAUTHENTICATED: spec(401, 'client', false, 'the x-api-key header names no client of this gateway'),
  // The client's, and passing: the same request succeeds once its quota has refilled.
  RATE_LIMITED: spec(429, 'client', true, "this client is over its quota of work; retry after Retry-After's seconds"),
  // Ours, and passing: the same request may succeed later.
  DEADLINE_EXCEEDED: spec(504, 'server', true, "the request's time budget ran out"),
  RESOURCE_EXHAUSTED: spec(429, 'server', true, 'the service is saturated; retry later'),
  FACTORIAL_UNAVAILABLE: spec(503, 'server', true, 'the factorial service cannot be reached; retry later'),
  SUBGRAPH_UNAVAILABLE: spec(503, 'server', true, 'a subgraph cannot be reached or failed; retry later'),
  // Ours, and a bug: logged with its stack, never shown.
  INTERNAL_SERVER_ERROR: spec(500, 'server', false, 'Internal server error'),
});

export type ErrorCode = keyof typeof ERRORS;

/** The codes by name, for `ErrorCode.BAD_USER_INPUT`-style use. */
export const ErrorCode = Object.freeze(Object.fromEntries(Object.keys(ERRORS).map((code) => [code, code]))) as {
  readonly [K in ErrorCode]: K;
};

/** Whether a value is one of the registered codes. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

/** The registered code a value names, or INTERNAL_SERVER_ERROR for anything else (a bug of ours). */
export function errorCodeOf(code: unknown): ErrorCode {
  return isErrorCode(code) ? code : 'INTERNAL_SERVER_ERROR';
}

/** Seconds a client should wait before retrying a retryable failure (`Retry-After`). */
export const RETRY_AFTER_SECONDS = 1;

// The two ways work fails that are nobody's bug: a full queue, a deadline passed.
export { QueueFullError, TaskAbortedError } from './work';
