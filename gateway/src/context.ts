// What the gateway keeps per request: its id, trace and logger, the deadline the subgraph call inherits, its cancellation.

import type { RequestTrace } from '../../lib/fastify-tracing';
import type { RequestLifetime } from '../../lib/request-budget';

export interface GatewayContext {
  /** The request's id (the client's x-request-id when it sent a sane one), sent on to the subgraph. */
  requestId: string;
  /** When its time budget runs out (the subgraph call inherits what is left); it ends early when the client goes away. */
  lifetime: RequestLifetime;
  /** Its trace context (sent on to the subgraph) and its logger. */
  trace: RequestTrace;
}
