// The per-request time budget: how it travels between processes (a header of remaining milliseconds).

/** Remaining milliseconds of the client request's budget, sent by the gateway to subgraphs. */
export const REQUEST_TIMEOUT_HEADER = 'x-request-timeout-ms';

/** The request id that travels with a request from the gateway to the subgraph (and back in logs). */
export const REQUEST_ID_HEADER = 'x-request-id';

/** The budget a header grants, capped by the receiver's own maximum; the maximum when absent or malformed. */
export function budgetFromHeader(value: string | string[] | undefined, maxMs: number): number {
  const raw = Array.isArray(value) ? value[0] : value;
  const ms = raw !== undefined && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  return Number.isFinite(ms) ? Math.min(ms, maxMs) : maxMs;
}

/** Whether a request id from a caller is safe to keep and log: 1 to 128 word characters, dots, colons or dashes. */
export function isSaneRequestId(id: unknown): id is string {
  return typeof id === 'string' && /^[\w.:-]{1,128}$/.test(id);
}
