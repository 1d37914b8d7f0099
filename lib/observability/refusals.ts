// Errors clients receive, counted in one place whatever refused them: a GraphQL operation, the REST route's checks,
// or the HTTP layer (a malformed body, an unknown path). graphql_errors_total{code} is the name the dashboards and
// alerts know; every refusal is also logged ("operation refused") with the request's ids.

import { Counter, type Registry } from 'prom-client';
import type { Logger } from './logger';

const counters = new WeakMap<Registry, Counter<'code'>>();

/** graphql_errors_total{code} of this registry, made once. */
export function errorCounter(registry: Registry): Counter<'code'> {
  let counter = counters.get(registry);
  if (!counter) {
    counter = new Counter({
      name: 'graphql_errors_total',
      help: 'Errors clients received, by code: GraphQL errors, REST answers and refusals of the HTTP layer.',
      labelNames: ['code'],
      registers: [registry],
    });
    counters.set(registry, counter);
  }
  return counter;
}

/** Counts (one per error) and logs (one line, info: the client's doing) a request refused before any operation ran. */
export function recordRefusal(registry: Registry | undefined, logger: Logger, codes: string | string[], message: string): void {
  const all = Array.isArray(codes) ? codes : [codes];
  if (registry) for (const code of all) errorCounter(registry).inc({ code });
  logger.info({ codes: [...new Set(all)], firstError: message, errors: all.length }, 'operation refused');
}
