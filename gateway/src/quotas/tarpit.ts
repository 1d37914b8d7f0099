// Refusals over quota are held before they are sent: a client that ignores Retry-After and sends again at once
// (a flood keeps its 32 requests in flight) gets each 429 after up to a second, not in microseconds, so that its
// refusals cost the gateway one timer each instead of a request loop that starves everyone else. At most
// `maxHeld` refusals are held at once per process; past that they are sent at once. A client that leaves is not held.

/** Calls its listener when the client leaves; returns what stops listening. */
export type OnLeave = (listener: () => void) => () => void;

export class Tarpit {
  private held = 0;

  constructor(
    /** Longest a refusal is held, in ms (RATE_LIMIT_HOLD_MS); 0 holds nothing. */
    private readonly maxMs: number,
    private readonly maxHeld = 1024,
  ) {}

  /** Waits min(retryAfterSeconds, maxMs), or until the client leaves, before a refusal is sent. */
  async hold(retryAfterSeconds: number, onLeave?: OnLeave): Promise<void> {
    const ms = Math.min(retryAfterSeconds * 1000, this.maxMs);
    if (ms <= 0 || this.held >= this.maxHeld) return;
    this.held++;
    let stop: (() => void) | undefined;
    try {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        stop = onLeave?.(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    } finally {
      stop?.();
      this.held--;
    }
  }
}
