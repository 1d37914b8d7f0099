// Work small enough to run on the event loop still adds up: many cheap factorials in one batch, many small ratios in
// one operation. Each piece waits for its turn, which gives the event loop a turn whenever this thread's inline work
// has held it for a few milliseconds, and stops the piece if its request's deadline has passed meanwhile.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { TaskAbortedError } from '../errors';

/** Longest stretch of inline work before the event loop gets a turn. */
export const INLINE_SLICE_MS = 4;

let sliceStart = performance.now();

/** Resolves when the caller may run a piece of inline work; rejects with TaskAbortedError once `expired()` is true. */
export async function inlineTurn(expired: () => boolean): Promise<void> {
  if (performance.now() - sliceStart > INLINE_SLICE_MS) {
    await yieldToEventLoop();
    sliceStart = performance.now();
  }
  if (expired()) throw new TaskAbortedError();
}
