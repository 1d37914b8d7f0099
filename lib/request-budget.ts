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

/**
 * How a request's work learns that the request is over: its deadline passed or its client left. The
 * AbortSignal (and its timer) is made only when something asks for it, since most requests never hand work
 * to a worker thread, and an AbortSignal, a timer and an abort's DOMException cost tens of µs a request.
 */
export class RequestLifetime {
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private listeners: Set<() => void> | undefined;
  private over = false;

  /** `deadline`: epoch milliseconds after which the request's work is abandoned. */
  constructor(readonly deadline: number) {}

  /** Aborts when the deadline passes or the request ends early. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      const remaining = this.deadline - Date.now();
      if (this.over || remaining <= 0) this.controller.abort();
      else this.timer = setTimeout(() => this.end(), remaining);
    }
    return this.controller.signal;
  }

  /** Calls `listener` if the request ends early; returns what removes it. For work with a deadline of its own. */
  onEnd(listener: () => void): () => void {
    if (this.over) {
      listener();
      return () => {};
    }
    (this.listeners ??= new Set()).add(listener);
    return () => this.listeners!.delete(listener);
  }

  /** The request is over before its work is: the client left, or the deadline passed. */
  end(): void {
    if (this.over) return;
    this.over = true;
    clearTimeout(this.timer);
    this.controller?.abort();
    for (const listener of this.listeners ?? []) listener();
  }

  /** The request was answered: nothing is left to stop. */
  finish(): void {
    this.over = true;
    clearTimeout(this.timer);
  }
}
