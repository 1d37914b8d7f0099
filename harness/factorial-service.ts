// A factorial service on a free port with a client of its own, for the service's tests, and what they poll.

import { Registry } from 'prom-client';
import { createFactorialClient } from '../services/factorial/client';
import { createFactorialServer } from '../services/factorial/src/server';
import { metricValue } from './stack';

/** Starts the service on 127.0.0.1:0 with `options`, and a client for it. */
export async function startFactorialService(options: Parameters<typeof createFactorialServer>[0] = {}) {
  const registry = new Registry();
  const server = createFactorialServer({ registry, ...options });
  const port = await server.listen('127.0.0.1', 0);
  const address = `127.0.0.1:${port}`;
  const client = createFactorialClient(address);
  return { server, registry, address, client };
}

/** grpc_server_handled_total for one method and code. */
export const handled = (registry: Registry, method: string, code: string) =>
  metricValue(registry, 'grpc_server_handled_total', { grpc_method: method, grpc_code: code });

/** The service's pool tasks in one state. */
export const poolTasks = (registry: Registry, state: 'busy' | 'queued') => metricValue(registry, 'factorial_worker_pool_tasks', { state });

/** Polls a condition on the next turns of the event loop, for at most `ms`. */
export async function waitFor(condition: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
