// Graceful shutdown under load: SIGTERM each process in turn while requests are in flight through the gateway.
// Every request in flight gets its right answer or a documented code; the process exits 0 within its grace period.

import { startProcesses, type ServiceName } from '../harness/processes';
import { runLoad, summarize } from '../harness/traffic';

const GRACE_MS = 5_000;

describe.each<ServiceName>(['factorial', 'math', 'primes', 'gateway'])('SIGTERM to the %s process under load', (name) => {
  it('exits 0 within the grace period, and no request in flight fails except with a documented code', async () => {
    const processes = await startProcesses({ SHUTDOWN_GRACE_MS: String(GRACE_MS) });
    try {
      let done = false;
      const load = runLoad(processes.gatewayUrl, 20, () => done);
      await new Promise((r) => setTimeout(r, 1_500));

      const target = processes.get(name);
      const signalledAt = Date.now();
      target.child.kill('SIGTERM');
      const code = await target.exited;
      const exitMs = Date.now() - signalledAt;
      await new Promise((r) => setTimeout(r, 500));
      done = true;
      const outcomes = await load;

      const inFlight = outcomes.filter((o) => o.startedAt < signalledAt);
      process.stdout.write(`${name}: exit ${code} after ${exitMs} ms; in flight or before: ${JSON.stringify(summarize(inFlight))}\n`);
      expect(code).toBe(0);
      expect(exitMs).toBeLessThan(GRACE_MS);
      expect(inFlight.length).toBeGreaterThan(20);
      expect(inFlight.filter((o) => o.wrong).map((o) => o.wrong)).toEqual([]);
    } finally {
      await processes.stopAll();
    }
  }, 60_000);
});
