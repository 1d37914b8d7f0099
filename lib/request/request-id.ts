// The request id that travels with a request from the gateway to the subgraphs and the factorial service, and
// into every log line it causes.

/** The header (and gRPC metadata key) that carries it. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Whether a request id from a caller is safe to keep and log: 1 to 128 word characters, dots, colons or dashes. */
export function isSaneRequestId(id: unknown): id is string {
  return typeof id === 'string' && /^[\w.:-]{1,128}$/.test(id);
}
