// The workers family: heavy work off the event loop.

// The pool, on the event loop's side: a bounded queue, tasks stopped by their signal.
export * from './worker-pool';
// The worker thread's side: one reply per task, at a lower priority.
export * from './worker-host';
// Inline work, in turns: the event loop gets its share, and a passed deadline stops it.
export * from './inline-turn';
// A process's budget for work in flight: shares in arrival order, waits within a deadline, refusal when too many wait.
export * from './admission';
