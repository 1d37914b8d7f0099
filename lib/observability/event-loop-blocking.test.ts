import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { forgetEventLoopBlocking, threadCpuReader, watchEventLoopBlocking } from './event-loop-blocking';
import { createMetricsRegistry } from './metrics';

const linux = process.platform === 'linux';
const onLinux = linux ? it : it.skip;

/** Runs synchronously until this thread has used ms of CPU time, however long a busy machine makes that take. */
function spinCpu(ms: number): void {
  const read = threadCpuReader()!;
  const until = read()! + ms;
  while (read()! < until);
}

onLinux("reads this thread's CPU time, which grows while it computes", () => {
  const read = threadCpuReader()!;
  const before = read()!;
  // 150 ms of CPU by the process's own count: all its threads, of which this one does most. How much of it the
  // others take varies (V8's GC helpers, busier in a jest worker that ran other files): at least a third is this
  // thread's, and this thread's can never be more than the process's (the tick of /proc's count aside). A reader
  // that does not move, or reads the wrong unit (ticks against ms: ten times off), fails either way.
  const start = process.cpuUsage();
  let used = process.cpuUsage(start);
  while (used.user + used.system < 150_000) used = process.cpuUsage(start);
  const thread = read()! - before;
  expect(thread).toBeGreaterThanOrEqual(50);
  expect(thread).toBeLessThanOrEqual((used.user + used.system) / 1000 + 20);
});

it('gives no reader, and no window, where the thread CPU file does not exist', () => {
  expect(threadCpuReader('/nonexistent/thread-self/stat')).toBeUndefined();
  if (!linux) expect(watchEventLoopBlocking()).toBeUndefined();
});

onLinux('counts a synchronous computation that holds the loop, and nothing while the loop is idle', async () => {
  const window = watchEventLoopBlocking()!;
  await sleep(50);
  window.takeMax();
  await sleep(200);
  expect(window.takeMax()).toBeLessThan(50);
  spinCpu(150);
  await sleep(50);
  expect(window.takeMax()).toBeGreaterThanOrEqual(120);
  // The window starts again after each read.
  await sleep(50);
  expect(window.takeMax()).toBeLessThan(50);
});

onLinux('forgets what held the loop so far when a service says its start-up is done', async () => {
  const window = watchEventLoopBlocking()!;
  spinCpu(150);
  await sleep(50);
  forgetEventLoopBlocking();
  expect(window.takeMax()).toBeLessThan(50);
  // Also work whose late timer has not run yet, as when start-up ends in the same turn of the loop.
  spinCpu(150);
  forgetEventLoopBlocking();
  await sleep(50);
  expect(window.takeMax()).toBeLessThan(50);
  // Only what came before is forgotten.
  spinCpu(150);
  await sleep(50);
  expect(window.takeMax()).toBeGreaterThanOrEqual(120);
});

onLinux('does not count the time a thread waits without a CPU, which event-loop lag counts', async () => {
  // A stopped process is a process that gets no CPU: its timers come late, but it ran nothing.
  const script = `
    const { watchEventLoopBlocking } = require(${JSON.stringify(require.resolve('./event-loop-blocking'))});
    const window = watchEventLoopBlocking();
    // The longest gap between two ticks of a 10 ms timer: the lag, as a timer sees it.
    let lastTick = performance.now();
    let lagMs = 0;
    setInterval(() => {
      lagMs = Math.max(lagMs, performance.now() - lastTick);
      lastTick = performance.now();
    }, 10);
    require('node:readline').createInterface({ input: process.stdin }).on('line', () => {
      console.log(JSON.stringify({ blockedMs: window.takeMax(), lagMs }));
      lagMs = 0;
    });
    console.log('ready');
  `;
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toBe('ready');
    await sleep(100);
    child.stdin.write('start\n');
    await lines.next();
    child.kill('SIGSTOP');
    await sleep(300);
    child.kill('SIGCONT');
    await sleep(100);
    child.stdin.write('report\n');
    const report = JSON.parse((await lines.next()).value as string) as { blockedMs: number; lagMs: number };
    expect(report.lagMs).toBeGreaterThanOrEqual(250);
    expect(report.blockedMs).toBeLessThan(50);
  } finally {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
});

onLinux('is exported by every metrics registry, in seconds, and reset by each scrape', async () => {
  const registry = createMetricsRegistry();
  await registry.metrics();
  spinCpu(150);
  await sleep(50);
  const value = (text: string): number => Number(/^eventloop_blocked_max_seconds (\S+)$/m.exec(text)![1]);
  expect(value(await registry.metrics())).toBeGreaterThanOrEqual(0.12);
  expect(value(await registry.metrics())).toBeLessThan(0.05);
});
