// A circuit breaker for an accelerator that may fail: after `failures` failures in a row it opens, and calls are
// refused at once for `openMs`; then one call is let through (half-open), whose outcome closes or reopens it. A Redis
// that keeps failing is not asked again on every request, and every request stops paying its timeout.

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Failures in a row that open the breaker. Default: 5. */
  failures?: number;
  /** How long it stays open before one call is tried again. Default: 2,000 ms. */
  openMs?: number;
  /** Told of every change of state. */
  onChange?(state: BreakerState): void;
}

export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private failuresInARow = 0;
  private openedAt = 0;
  private readonly threshold: number;
  /** How long it stays open before a trial call. */
  readonly openMs: number;

  constructor(private readonly options: BreakerOptions = {}) {
    this.threshold = options.failures ?? 5;
    this.openMs = options.openMs ?? 2_000;
  }

  /** Whether a call may go out now: closed, or open long enough that one trial call is due (half-open). */
  allows(now = Date.now()): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open' && now - this.openedAt >= this.openMs) {
      this.set('half-open');
      return true;
    }
    return false;
  }

  succeeded(): void {
    this.failuresInARow = 0;
    if (this.state !== 'closed') this.set('closed');
  }

  failed(now = Date.now()): void {
    this.failuresInARow++;
    if (this.state === 'half-open' || (this.state === 'closed' && this.failuresInARow >= this.threshold)) {
      this.openedAt = now;
      this.set('open');
    }
  }

  get current(): BreakerState {
    return this.state;
  }

  private set(state: BreakerState): void {
    this.state = state;
    this.options.onChange?.(state);
  }
}
