// The worker-thread side of WorkerPool: answers each task message with one reply, never throws.

import { parentPort, type TransferListItem } from 'node:worker_threads';
import type { WorkerReply } from './worker-pool';

/** What a task handler returns: the output and the objects to transfer back with it. */
export interface TaskResult<TOutput> {
  output: TOutput;
  transfer?: TransferListItem[];
}

/** Serves tasks on this worker thread with a synchronous handler. */
export function serveWorkerTasks<TInput, TOutput>(handler: (input: TInput) => TaskResult<TOutput>): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorkerTasks must run in a worker thread');
  port.on('message', (input: TInput) => {
    let reply: WorkerReply;
    let transfer: TransferListItem[] = [];
    try {
      const result = handler(input);
      reply = { ok: true, output: result.output };
      transfer = result.transfer ?? [];
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      reply = { ok: false, name: e.name, message: e.message };
    }
    port.postMessage(reply, transfer);
  });
}
