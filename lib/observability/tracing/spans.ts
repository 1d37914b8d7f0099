// Tracing: W3C trace context always flows between the processes, passed explicitly from request to call; spans
// are recorded (and AsyncLocalStorage tracks the active one) only when the OTEL_* settings turn tracing on.
// Off, the default, a request costs a header parsed and a context object, nothing per span.

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
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { RandomIdGenerator } from '@opentelemetry/sdk-trace';
import type { TransferListItem } from 'node:worker_threads';

/** The instrumentation scope of every span this project makes. */
const tracer = trace.getTracer('graphql-grpc-factorial');

const INVALID_CONTEXT = { traceId: '', spanId: '', traceFlags: TraceFlags.NONE };

/** Trace and span ids as the SDK makes them: Math.random (ids must be unique, not secret) costs 1.5 µs a pair here, crypto.randomBytes 12. */
const ids = new RandomIdGenerator();

/** Where the request id lives in a context, so that log lines anywhere in the request can carry it. */
const REQUEST_ID_KEY = createContextKey('graphql-grpc-factorial.request_id');

let propagatorInstalled = false;
let recording = false;

/** Registers the W3C trace-context propagator (idempotent): `traceparent` is read and written with or without tracing. */
export function installPropagator(): void {
  if (propagatorInstalled) return;
  propagatorInstalled = true;
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/**
 * Called when tracing turns on: spans are recorded from now on, and an AsyncLocalStorage context manager keeps
 * the active span across awaits (so that Apollo Gateway's own spans nest under ours). Not needed, and not
 * paid for, with tracing off: AsyncLocalStorage slows every promise.
 */
export function enableRecording(): void {
  installPropagator();
  if (recording) return;
  recording = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** Whether spans are recorded in this process. */
export function isRecording(): boolean {
  return recording;
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

/**
 * The context of a request arriving with these headers (or gRPC metadata, with its getter): the caller's trace
 * from `traceparent`, and the request id. With `originate` (at the edge) and tracing off, a request without a
 * valid `traceparent` gets a fresh, unsampled trace id, so that the logs of all three processes correlate all
 * the same; with tracing on, its SERVER span starts the trace instead.
 */
export function incomingContext<T>(
  carrier: T,
  getter: TextMapGetter<T>,
  requestId: string | undefined,
  options: { originate?: boolean } = {},
): Context {
  let parent = propagation.extract(ROOT_CONTEXT, carrier, getter);
  if (options.originate && !recording && !isSpanContextValid(trace.getSpanContext(parent) ?? INVALID_CONTEXT)) {
    parent = trace.setSpanContext(parent, { traceId: ids.generateTraceId(), spanId: ids.generateSpanId(), traceFlags: TraceFlags.NONE });
  }
  return requestId ? parent.setValue(REQUEST_ID_KEY, requestId) : parent;
}

/** Starts a SERVER span under `parent`; returns it with the context to run the request's work in (tracing off: a no-op span and `parent`). */
export function startServerSpan(name: string, parent: Context, attributes: Attributes): { span: Span; context: Context } {
  if (!recording) return { span: NOOP_SPAN, context: parent };
  const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * Runs `work` in a new active span, a child of `parent` (or of the active context): a thrown error marks the
 * span failed and is rethrown; the span ends when the work settles. `work` gets the span and the context to
 * pass on (to inject into a call). With tracing off no span is made: `work` gets a no-op span and the parent.
 */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  work: (span: Span, context: Context) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  if (!recording) return work(NOOP_SPAN, parent);
  const span = tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent);
  const active = trace.setSpan(parent, span);
  try {
    return await context.with(active, () => work(span, active));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** What attributes and events go to when nothing is recorded. */
const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_CONTEXT);

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

/** What runInSpan passes on to the pool (lib/workers' RunOptions, structurally: this module does not load the pool). */
interface WorkerRunOptions {
  signal?: AbortSignal;
  transfer?: TransferListItem[];
  owner?: object;
}

/**
 * Runs a task on a worker pool inside a span of its own; the span records how long the task waited for a
 * thread (`worker.queue_ms`) and when the thread took it (event `worker.start`).
 */
export function runInSpan<TInput, TOutput>(
  pool: { run(input: TInput, options: WorkerRunOptions & { onStart?: () => void }): Promise<TOutput> },
  name: string,
  attributes: Attributes,
  input: TInput,
  options: WorkerRunOptions = {},
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
  span.setAttribute(ATTR_ERROR_TYPE, code ?? (error instanceof Error ? error.name : 'Error'));
}

/** The API error code an error carries (GraphQLError's extensions.code), if any. */
function apiCodeOf(error: unknown): string | undefined {
  const code = (error as { extensions?: { code?: unknown } } | undefined)?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The trace and request ids of a request's context, as fields for its log lines (bind them with logger.child). */
export function logFields(active: Context): Record<string, string> {
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
