// What the gateway keeps per request: its id, trace and logger, the deadline the subgraph call inherits, its cancellation.

import type { RequestTrace } from '../../lib/fastify-tracing';

export interface GatewayContext {
  /** The request's id (the client's x-request-id when it sent a sane one), sent on to the subgraph. */
  requestId: string;
  /** Epoch milliseconds when the request's time budget runs out. */
  deadline: number;
  /** Aborts when the client goes away: subgraph calls made for it are cancelled. */
  signal: AbortSignal;
  /** Its trace context (sent on to the subgraph) and its logger. */
  trace: RequestTrace;
}
