// A worker for the pool's own tests: tasks that take as long as asked, answer, or fail, with nothing else to know.

import { serveWorkerTasks } from './worker-host';

export type FixtureTask = { kind: 'spin'; ms: number; value: number } | { kind: 'fail'; message: string };

serveWorkerTasks<FixtureTask, number>((task) => {
  if (task.kind === 'fail') throw new RangeError(task.message);
  // Busy, as BigInt work is: the thread cannot be interrupted, only stopped.
  const until = performance.now() + task.ms;
  while (performance.now() < until);
  return { output: task.value };
});
