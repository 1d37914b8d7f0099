// What the gateway keeps per request: the deadline that the subgraph call inherits.

export interface GatewayContext {
  /** Epoch milliseconds when the request's time budget runs out. */
  deadline: number;
}
