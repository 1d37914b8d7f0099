// A worker pool's gauge, read at each scrape.

import { Gauge, type Registry } from 'prom-client';
import type { PoolStats } from './worker-pool';

/** Registers a gauge `name{state="busy"|"queued"}` read from a worker pool at each scrape. */
export function registerPoolGauge(registry: Registry, name: string, help: string, stats: () => PoolStats): void {
  new Gauge({
    name,
    help,
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const now = stats();
      this.set({ state: 'busy' }, now.busy);
      this.set({ state: 'queued' }, now.queued);
    },
  });
}
