// A request's deadline: the moment its work is abandoned, from the gateway to the worker thread. It comes early
// when the request is cancelled (its client left, a part of it failed), so one object answers "is it still worth
// doing?" everywhere. Between processes it travels as the milliseconds left (as gRPC's grpc-timeout does), since
// the processes' clocks need not agree.

import { setMaxListeners } from 'node:events';
import type { ServerResponse } from 'node:http';

/** The milliseconds left before the request's deadline, sent by the gateway to subgraphs. */
export const DEADLINE_HEADER = 'x-request-timeout-ms';

/** The deadline a header sets, `at` ms from `now`: capped by the receiver's own longest timeout; that timeout when absent or malformed. */
export function deadlineFromHeader(value: string | string[] | undefined, maxTimeoutMs: number, now = Date.now()): number {
  const raw = Array.isArray(value) ? value[0] : value;
  const ms = raw !== undefined && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  return now + (Number.isFinite(ms) ? Math.min(ms, maxTimeoutMs) : maxTimeoutMs);
}

/** Longest delay a Node.js timer takes (about 24.8 days); a deadline further away is treated as none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * How a request's work learns that the request is over: its deadline passed or it was cancelled. The
 * AbortSignal and the timer are made only when something asks for them (a listener or the signal), since an
 * AbortSignal, a timer and an abort's DOMException cost tens of µs a request.
 */
export class Deadline {
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private listeners: Set<() => void> | undefined;
  private endListeners: (() => void)[] | undefined;
  private state: 'open' | 'expired' | 'finished' = 'open';

  /** `at`: epoch milliseconds after which the request's work is abandoned; Infinity for none of its own. */
  constructor(readonly at: number = Infinity) {}

  /** Milliseconds left (0 once passed). */
  remaining(now = Date.now()): number {
    return Math.max(0, this.at - now);
  }

  /** Whether the deadline has passed or the request was cancelled. */
  get expired(): boolean {
    return this.state === 'expired' || (this.state === 'open' && this.at <= Date.now());
  }

  /** Aborts when the deadline passes or the request is cancelled. Every task of the request may listen to it. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      setMaxListeners(0, this.controller.signal);
      if (this.state === 'expired' || (this.state === 'open' && this.at <= Date.now())) this.controller.abort();
      else this.arm();
    }
    return this.controller.signal;
  }

  /** Calls `listener` once when the deadline passes or the request is cancelled (at once if it already was); returns what removes it. */
  onExpire(listener: () => void): () => void {
    if (this.state === 'open' && this.at <= Date.now()) this.expire();
    if (this.state !== 'open') {
      if (this.state === 'expired') listener();
      return () => {};
    }
    (this.listeners ??= new Set()).add(listener);
    this.arm();
    return () => this.listeners!.delete(listener);
  }

  /** Calls `listener` once when the request ends, answered (finish) or not (expire); at once if it already has. */
  onEnd(listener: () => void): void {
    if (this.state !== 'open') listener();
    else (this.endListeners ??= []).push(listener);
  }

  /** Starts the timer that expires the deadline on time, once. */
  private arm(): void {
    if (this.timer || this.state !== 'open') return;
    const remaining = this.at - Date.now();
    if (remaining <= MAX_TIMER_MS) this.timer = setTimeout(() => this.expire(), Math.max(0, remaining));
  }

  /** The request is over before its work is: the client left, the deadline passed, or a part of it failed. */
  expire(): void {
    if (this.state !== 'open') return;
    this.state = 'expired';
    clearTimeout(this.timer);
    this.controller?.abort();
    for (const listener of this.listeners ?? []) listener();
    for (const listener of this.endListeners ?? []) listener();
  }

  /** The request was answered: nothing is left to stop, and nothing will be. */
  finish(): void {
    if (this.state !== 'open') return;
    this.state = 'finished';
    clearTimeout(this.timer);
    for (const listener of this.endListeners ?? []) listener();
  }
}

/**
 * The deadline of a request answered on this HTTP response. The response's 'close' comes when it has been
 * sent, or earlier when the client leaves: only then is there work to stop.
 */
export function responseDeadline(response: ServerResponse, at: number): Deadline {
  const deadline = new Deadline(at);
  response.once('close', () => (response.writableFinished ? deadline.finish() : deadline.expire()));
  return deadline;
}
