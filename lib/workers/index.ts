// The workers family: worker-thread pools for heavy BigInt work, the host side of a worker, inline turns, and the pools' gauge.

// A fixed pool of threads with a bounded queue.
export { WorkerPool } from './worker-pool';
// The worker side: serving tasks.
export { serveWorkerTasks } from './worker-host';
// Inline work in short turns, stopped once its request is over.
export { inlineTurn } from './inline-turn';
// The pools' gauge.
export { registerPoolGauge } from './metrics';
