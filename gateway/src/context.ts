// What the gateway keeps per request: its id, trace and logger, and the deadline its subgraph calls inherit.

import type { RequestTrace } from '../../lib/observability';
import type { Deadline } from '../../lib/request';
import type { AnswersContext } from './answers';
import type { QuotaContext } from './quotas';

export interface GatewayContext extends AnswersContext, QuotaContext {
  /** The request's id (the client's x-request-id when it sent a sane one), sent on to the subgraphs. */
  requestId: string;
  /** When its work is abandoned (subgraph calls inherit what is left); it comes early when the client goes away. */
  deadline: Deadline;
  /** Its trace context (sent on to the subgraphs) and its logger. */
  trace: RequestTrace;
  /**
   * Bytes its subgraphs' answers may still take, in all its fetches (MAX_RESPONSE_BYTES), and the refusal once they
   * ran out (every fetch then fails with it, and the others are cut off); absent: no limit.
   */
  replyBudget?: { remaining: number; readonly max: number; refusal?: Error };
}
