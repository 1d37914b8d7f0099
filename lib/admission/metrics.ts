// The memory budget's metrics: admission_bytes, admission_waiting and admission_refused_total, read at each scrape.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { AdmissionStats } from './admission';

/**
 * Registers admission_bytes{state="in_use"|"capacity"}, admission_waiting and admission_refused_total, read from a
 * process's admission budget (lib/workers) at each scrape.
 */
export function registerAdmissionMetrics(registry: Registry, stats: () => AdmissionStats): void {
  new Gauge({
    name: 'admission_bytes',
    help: 'Memory budget for work in flight: bytes in use and the capacity.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const now = stats();
      this.set({ state: 'in_use' }, now.inUse);
      this.set({ state: 'capacity' }, now.capacity);
    },
  });
  new Gauge({
    name: 'admission_waiting',
    help: 'Requests waiting for their share of the memory budget.',
    registers: [registry],
    collect() {
      this.set(stats().waiting);
    },
  });
  new Counter({
    name: 'admission_refused_total',
    help: 'Requests refused at once (RESOURCE_EXHAUSTED) because too many waited for the memory budget.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(stats().refused);
    },
  });
}
