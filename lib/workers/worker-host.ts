// The worker-thread side of WorkerPool: answers each task message with one reply, never throws.

import * as fs from 'node:fs';
import * as os from 'node:os';
import { parentPort, type TransferListItem } from 'node:worker_threads';
import type { WorkerReply } from './worker-pool';

/** How much lower than the event loop a worker thread runs (Linux nice levels). */
export const WORKER_NICENESS = 10;

/**
 * Heavy work yields the CPU to the event loops that answer requests: on Linux, where a thread has a
 * priority of its own, this thread runs WORKER_NICENESS nice levels below the process. On a machine with
 * fewer free cores than busy threads, a million-digit result then costs small queries less latency, and
 * takes longer only while they need the CPU. Elsewhere, or where it is not permitted, nothing changes.
 */
export function lowerThreadPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    // /proc/thread-self is /proc/<pid>/task/<tid> for the thread that reads it.
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, Math.min(19, os.getPriority(tid) + WORKER_NICENESS));
  } catch {
    // not permitted here: keep the process's priority
  }
}

/** What a task handler returns: the output and the objects to transfer back with it. */
export interface TaskResult<TOutput> {
  output: TOutput;
  transfer?: TransferListItem[];
}

/** Serves tasks on this worker thread with a synchronous handler. */
export function serveWorkerTasks<TInput, TOutput>(handler: (input: TInput) => TaskResult<TOutput>): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorkerTasks must run in a worker thread');
  lowerThreadPriority();
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
