// The two ways work in a process fails that are nobody's bug: too much of it waits (the caller sheds load with
// RESOURCE_EXHAUSTED), or its deadline passed first (DEADLINE_EXCEEDED). Worker pools and the memory budget both
// throw them; the GraphQL and gRPC layers map them onto codes.

/** Thrown by run() when every worker is busy and the queue is full: the caller should shed load. */
export class QueueFullError extends Error {
  constructor(readonly maxQueue: number) {
    super(`the work queue is full (${maxQueue} waiting)`);
    this.name = 'QueueFullError';
  }
}

/** Thrown when work's deadline passes (or its signal aborts) before its result arrives. */
export class TaskAbortedError extends Error {
  constructor() {
    super('the task was aborted');
    this.name = 'TaskAbortedError';
  }
}
