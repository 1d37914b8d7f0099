// What one request carries into every call it makes: its deadline, its id and its trace context.

import type { Context } from '@opentelemetry/api';
import type { Deadline } from './deadline';

export interface RequestScope {
  /** When its work is abandoned (early, if it is cancelled). */
  readonly deadline: Deadline;
  /** Sent on (x-request-id), so that every process's log lines name the request. */
  readonly requestId?: string;
  /** The request's trace context: parent of the spans of its work and its calls. */
  readonly trace?: Context;
}
