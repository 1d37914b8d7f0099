// What the gateway keeps per request: its id, the deadline the subgraph call inherits, and its cancellation.

export interface GatewayContext {
  /** The request's id (the client's x-request-id when it sent a sane one), sent on to the subgraph. */
  requestId: string;
  /** Epoch milliseconds when the request's time budget runs out. */
  deadline: number;
  /** Aborts when the client goes away: subgraph calls made for it are cancelled. */
  signal: AbortSignal;
}
