// Tracing: W3C trace context always flows between the processes; spans are recorded and exported only when
// the standard OTEL_* settings ask for it (off by default, and then every span is a free no-op).

import {
  context,
  createContextKey,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { randomBytes } from 'node:crypto';
import type { TransferListItem } from 'node:worker_threads';

/** The instrumentation scope of every span this project makes. */
export const tracer = trace.getTracer('graphql-grpc-factorial');

/** Where the request id lives in a context, so that log lines anywhere in the request can carry it. */
export const REQUEST_ID_KEY = createContextKey('graphql-grpc-factorial.request_id');

let installed = false;

/**
 * Registers the context manager (AsyncLocalStorage) and the W3C trace-context propagator. Idempotent, and
 * cheap: it lets an incoming `traceparent` reach the next hop and the logs even when no spans are recorded.
 */
export function installTraceContext(): void {
  if (installed) return;
  installed = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/** Reads propagation headers from a plain header record (Node's IncomingHttpHeaders). */
export const headerGetter: TextMapGetter<Record<string, string | string[] | undefined>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key.toLowerCase()],
};

/** Writes propagation headers into a plain header record. */
export const headerSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** The parent context of a request arriving with `headers`: the caller's trace (its `traceparent`), and the request id. */
export function incomingContext(headers: Record<string, string | string[] | undefined>, requestId: string | undefined): Context {
  const parent = propagation.extract(ROOT_CONTEXT, headers, headerGetter);
  return requestId ? parent.setValue(REQUEST_ID_KEY, requestId) : parent;
}

/**
 * Starts a SERVER span under `parent`; returns it with the context to run the request's work in. With
 * `originate` (at the edge), a request that has no trace id by then (tracing off, no `traceparent`) gets a
 * fresh, unsampled one, so that the logs of all three processes still correlate.
 */
export function startServerSpan(
  name: string,
  parent: Context,
  attributes: Attributes,
  options: { originate?: boolean } = {},
): { span: Span; context: Context } {
  let span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  if (options.originate && !isSpanContextValid(span.spanContext())) {
    span = trace.wrapSpanContext({
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      traceFlags: TraceFlags.NONE,
    });
  }
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * Runs `work` in a new active span (a child of `parent`, or of the active context): a thrown error marks
 * the span failed and is rethrown; the span ends when the work settles.
 */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** gRPC metadata, as far as propagation needs it (structural, so this module does not load grpc-js). */
interface MetadataLike {
  get(key: string): (string | Buffer)[];
  set(key: string, value: string): void;
  getMap(): Record<string, unknown>;
}

/** Reads propagation fields from gRPC metadata. */
export const metadataGetter: TextMapGetter<MetadataLike> = {
  keys: (carrier) => Object.keys(carrier.getMap()),
  get: (carrier, key) => {
    const values = carrier.get(key);
    return values.length > 0 ? values.map(String) : undefined;
  },
};

/** Writes propagation fields into gRPC metadata. */
export const metadataSetter: TextMapSetter<MetadataLike> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

/**
 * Runs a task on a worker pool inside a span of its own; the span records how long the task waited for a
 * thread (`worker.queue_ms`) and when the thread took it (event `worker.start`).
 */
export function runInSpan<TInput, TOutput>(
  pool: { run(input: TInput, options: { signal?: AbortSignal; transfer?: TransferListItem[]; onStart?: () => void }): Promise<TOutput> },
  name: string,
  attributes: Attributes,
  input: TInput,
  options: { signal?: AbortSignal; transfer?: TransferListItem[] } = {},
): Promise<TOutput> {
  return inSpan(name, { attributes }, (span) => {
    const queuedAt = performance.now();
    return pool.run(input, {
      ...options,
      onStart: () => {
        span.setAttribute('worker.queue_ms', Math.round((performance.now() - queuedAt) * 100) / 100);
        span.addEvent('worker.start');
      },
    });
  });
}

/** Marks a span failed with the error's name and message (never its stack: span data leaves the process). */
export function failSpan(span: Span, error: unknown, code = apiCodeOf(error)): void {
  const message = error instanceof Error ? error.message : String(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code ? `${code}: ${message}` : message });
  span.setAttribute('error.type', code ?? (error instanceof Error ? error.name : 'Error'));
}

/** The API error code an error carries (GraphQLError's extensions.code), if any. */
function apiCodeOf(error: unknown): string | undefined {
  const code = (error as { extensions?: { code?: unknown } } | undefined)?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The trace and request ids of the active context, as fields of a log line (pino's mixin). */
export function logCorrelation(): Record<string, string> {
  const active = context.active();
  const fields: Record<string, string> = {};
  const spanContext = trace.getSpanContext(active);
  if (spanContext && isSpanContextValid(spanContext)) {
    fields.trace_id = spanContext.traceId;
    // Only a sampled span's id names something an operator can find in a trace store.
    if (spanContext.traceFlags & TraceFlags.SAMPLED) fields.span_id = spanContext.spanId;
  }
  const requestId = active.getValue(REQUEST_ID_KEY);
  if (typeof requestId === 'string') fields.request_id = requestId;
  return fields;
}
