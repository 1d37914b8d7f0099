// The per-request time budget: how it travels between processes (a header of remaining milliseconds), and how a
// request's work learns that the request is over.

import type { ServerResponse } from 'node:http';

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

/** Longest delay a Node.js timer takes (about 24.8 days); a deadline further away is treated as none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * How a request's work learns that the request is over: its deadline passed or its client left. The
 * AbortSignal (and its timer) is made only when something asks for it, since most requests never hand work
 * to a worker thread, and an AbortSignal, a timer and an abort's DOMException cost tens of µs a request.
 */
export class RequestLifetime {
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private listeners: Set<() => void> | undefined;
  private state: 'open' | 'ended' | 'finished' = 'open';

  /** `deadline`: epoch milliseconds after which the request's work is abandoned; Infinity for none of its own. */
  constructor(readonly deadline: number = Infinity) {}

  /** Aborts when the deadline passes or the request ends early. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      const remaining = this.deadline - Date.now();
      if (this.state === 'ended' || remaining <= 0) this.controller.abort();
      else if (this.state === 'open' && remaining <= MAX_TIMER_MS) this.timer = setTimeout(() => this.end(), remaining);
    }
    return this.controller.signal;
  }

  /** Calls `listener` if the request ends early; returns what removes it. For work with a deadline of its own. */
  onEnd(listener: () => void): () => void {
    if (this.state !== 'open') {
      if (this.state === 'ended') listener();
      return () => {};
    }
    (this.listeners ??= new Set()).add(listener);
    return () => this.listeners!.delete(listener);
  }

  /** The request is over before its work is: the client left, the deadline passed, or a part of it failed. */
  end(): void {
    if (this.state !== 'open') return;
    this.state = 'ended';
    clearTimeout(this.timer);
    this.controller?.abort();
    for (const listener of this.listeners ?? []) listener();
  }

  /** The request was answered: nothing is left to stop, and nothing will be. */
  finish(): void {
    if (this.state !== 'open') return;
    this.state = 'finished';
    clearTimeout(this.timer);
  }
}

/**
 * The lifetime of a request answered on this HTTP response. The response's 'close' comes when it has been
 * sent, or earlier when the client leaves: only then is there work to stop.
 */
export function responseLifetime(response: ServerResponse, deadline: number): RequestLifetime {
  const lifetime = new RequestLifetime(deadline);
  response.once('close', () => (response.writableFinished ? lifetime.finish() : lifetime.end()));
  return lifetime;
}
