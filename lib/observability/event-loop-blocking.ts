// How long this thread's event loop was held by its own work, told apart from time the thread waited for a CPU.

import { closeSync, openSync, readSync } from 'node:fs';
import { cpuMsFromStat } from './proc-stat';

/**
 * Event-loop lag (prom-client's `nodejs_eventloop_lag_*`) counts every late timer, including the time a runnable
 * thread waited for a CPU: on a busy machine, or under a container's CPU quota, it rises although no code blocked.
 * Blocking is the part of the delay during which this thread was on a CPU. A timer fires every INTERVAL_MS; for each
 * interval, the lateness and the thread's CPU time (from /proc/thread-self/stat, Linux) are read, and the smaller
 * of the two is the time the loop was held by work. It under-counts by at most one interval, and it does not see
 * a thread blocked asleep in a synchronous call (the services make none after start-up).
 */
const INTERVAL_MS = 20;

export interface BlockingWindow {
  /** Longest blocking (ms) since the previous call, which starts a new window. */
  takeMax(): number;
}

type Reader = () => number | undefined;
/** Open windows; a window whose owner (a metrics registry) is gone is dropped. */
const windows = new Set<WeakRef<{ max: number }>>();
/** Whether this thread's sampler runs; undefined until the first window is asked for. */
let sampling: boolean | undefined;
/** Starts the sampler's current interval again, from now. */
let restartInterval: (() => void) | undefined;

/**
 * A window over this thread's blocking, or undefined where the thread's CPU time cannot be read (not Linux). Windows
 * share one sampler per thread, which never keeps the process alive.
 */
export function watchEventLoopBlocking(): BlockingWindow | undefined {
  sampling ??= startSampler(threadCpuReader());
  if (!sampling) return undefined;
  const window = { max: 0 };
  windows.add(new WeakRef(window));
  return {
    takeMax() {
      const max = window.max;
      window.max = 0;
      return max;
    },
  };
}

/**
 * Empties every window of this thread: what held the loop so far is not counted. A service calls it once its
 * start-up is done (schemas built, supergraph composed, ports bound), which holds the loop for 0.1-0.2 s before
 * any request can arrive: blocking is about serving.
 */
export function forgetEventLoopBlocking(): void {
  restartInterval?.();
  for (const ref of windows) {
    const window = ref.deref();
    if (window) window.max = 0;
  }
}

/** Milliseconds of CPU this thread has used, read with one pread of a file kept open; undefined off Linux. */
export function threadCpuReader(path = '/proc/thread-self/stat'): Reader | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  const buffer = Buffer.alloc(1024);
  const read: Reader = () => {
    const ms = cpuMsFromStat(buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0)));
    return Number.isFinite(ms) ? ms : undefined;
  };
  if (read() === undefined) {
    closeSync(fd);
    return undefined;
  }
  return read;
}

function startSampler(readCpu: Reader | undefined): boolean {
  if (!readCpu) return false;
  let lastAt = performance.now();
  let lastCpu = readCpu() ?? 0;
  // The interval under way too: work that held the loop is recorded when the late timer finally runs.
  restartInterval = () => {
    lastAt = performance.now();
    lastCpu = readCpu() ?? lastCpu;
  };
  const timer = setInterval(() => {
    const at = performance.now();
    const cpu = readCpu() ?? lastCpu;
    const blocked = Math.min(at - lastAt - INTERVAL_MS, cpu - lastCpu);
    lastAt = at;
    lastCpu = cpu;
    for (const ref of windows) {
      const window = ref.deref();
      if (!window) windows.delete(ref);
      else if (blocked > window.max) window.max = blocked;
    }
  }, INTERVAL_MS);
  timer.unref();
  return true;
}
