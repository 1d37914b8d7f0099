// The workers family: heavy work off the event loop.

// The pool, on the event loop's side: a bounded queue, tasks stopped by their signal.
export * from './worker-pool';
// The worker thread's side: one reply per task, at a lower priority.
export * from './worker-host';
