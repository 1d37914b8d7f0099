// Identical work in flight, by key: the first caller computes, the others wait for it (each within its own
// deadline, which comes early if its client leaves), then look again. As a router deduplicates queries: a burst of one
// heavy operation costs one computation, not one memory share each.

import type { Deadline } from '../../../lib/request';

export class InFlight {
  private readonly running = new Map<string, Promise<void>>();

  /**
   * Waits while another caller computes `key` (until it is done, or the deadline passes) and resolves undefined; or,
   * when none does, makes this caller the one and resolves with `done`, to call once the result is stored or known
   * not to be (it wakes the others, who then look again).
   */
  async claim(key: string, deadline: Deadline | undefined): Promise<(() => void) | undefined> {
    const running = this.running.get(key);
    if (running) {
      await within(running, deadline);
      return undefined;
    }
    let wake!: () => void;
    this.running.set(key, new Promise<void>((resolve) => (wake = resolve)));
    return () => {
      this.running.delete(key);
      wake();
    };
  }
}

/** Resolves when `promise` does, or when the deadline passes (then the caller goes on without it). */
function within(promise: Promise<void>, deadline: Deadline | undefined): Promise<void> {
  if (!deadline) return promise;
  return new Promise<void>((resolve) => {
    const stop = deadline.onExpire(resolve);
    void promise.then(() => {
      stop();
      resolve();
    });
  });
}
