// Processes a harness or a benchmark starts die with the process that started them. Node does not do it: a test file
// or a benchmark that throws before its teardown, or exits, would leave a stack, a floor or a redis-server running,
// and the next benchmark on the machine would measure a contended run. On this process's exit (normal, or
// process.exit after an error) every child still running is killed.

import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();

function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** `child`, killed when this process exits if it still runs. */
export function killOnExit<T extends ChildProcess>(child: T): T {
  if (live.size === 0) process.on('exit', killAll);
  live.add(child);
  child.once('exit', () => {
    live.delete(child);
    if (live.size === 0) process.off('exit', killAll);
  });
  return child;
}
