// npm run test:chaos: 50 clients for 30 s of mixed traffic while the factorial service is SIGKILLed and restarted twice.
// Loopback only, bounded in time. Pass: no gateway or subgraph crash; every answer exactly right or with a documented
// code; success back above 99% within 3 s of the service reporting SERVING.

import { startProcesses, type Processes } from '../../harness/processes';
import { runLoad, summarize, type Outcome } from '../../harness/traffic';

const CLIENTS = 50;
const DURATION_MS = 30_000;
const RECOVERY_MS = 3_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('loses nothing while the factorial service is killed and restarted twice', async () => {
  const processes: Processes = await startProcesses();
  try {
    const start = Date.now();
    let done = false;
    const load = runLoad(processes.gatewayUrl, CLIENTS, () => done);

    const servingAt: number[] = [];
    const killedAt: number[] = [];
    for (const at of [6_000, 16_000]) {
      await sleep(start + at - Date.now());
      processes.get('factorial').child.kill('SIGKILL');
      killedAt.push(Date.now());
      await processes.get('factorial').exited;
      await sleep(2_000);
      await processes.start('factorial');
      servingAt.push(Date.now());
    }
    await sleep(start + DURATION_MS - Date.now());
    done = true;
    const outcomes = await load;

    // Success rate of valid requests started from 3 s after SERVING and answered before the next kill (or the end).
    const windows = servingAt.map((s, i) => {
      const from = s + RECOVERY_MS;
      const to = killedAt[i + 1] ?? start + DURATION_MS;
      const inWindow = outcomes.filter((o: Outcome) => o.valid && o.startedAt >= from && o.finishedAt < to);
      const failed = inWindow.filter((o) => !o.ok);
      const lastFailure = failed.length
        ? `, last failure ${((Math.max(...failed.map((o) => o.startedAt)) - s) / 1000).toFixed(2)} s after SERVING`
        : '';
      return {
        requests: inWindow.length,
        rate: inWindow.filter((o) => o.ok).length / inWindow.length,
        detail: `${JSON.stringify(summarize(failed))}${lastFailure}`,
      };
    });
    const counts = summarize(outcomes);
    process.stdout.write(
      `\nchaos: ${CLIENTS} clients, ${DURATION_MS / 1000} s, factorial killed at ${killedAt.map((t) => `${((t - start) / 1000).toFixed(1)} s`).join(' and ')}, ` +
        `SERVING again at ${servingAt.map((t) => `${((t - start) / 1000).toFixed(1)} s`).join(' and ')}\n` +
        `answers: ${JSON.stringify(counts)}\n` +
        `success from 3 s after SERVING: ${windows.map((w) => `${(w.rate * 100).toFixed(2)}% of ${w.requests} (failures ${w.detail})`).join('; ')}\n`,
    );
    const wrong = outcomes.filter((o) => o.wrong).map((o) => o.wrong);
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(counts.FACTORIAL_UNAVAILABLE ?? 0).toBeGreaterThan(0); // the kills were felt
    for (const w of windows) {
      expect(w.requests).toBeGreaterThan(100);
      expect(w.rate).toBeGreaterThan(0.99);
    }
    expect(processes.get('gateway').child.exitCode).toBeNull();
    expect(processes.get('math').child.exitCode).toBeNull();
  } finally {
    await processes.stopAll();
  }
}, 120_000);
