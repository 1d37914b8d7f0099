// One gRPC call on the server: its span (joining the caller's trace), its logger, its deadline, and how it ends.
// Handlers are async functions of (request, scope); this turns them into grpc-js handlers that never throw and
// answer exactly once.

import * as grpc from '@grpc/grpc-js';
import { context, type Context, type Span } from '@opentelemetry/api';
import { failSpan, incomingContext, logFields, metadataGetter, startServerSpan, type Logger } from '../../../lib/observability';
import { grpcCodeName, rpcSpanAttributes, rpcStatusAttributes } from '../../../lib/grpc';
import { Deadline, isSaneRequestId, REQUEST_ID_HEADER } from '../../../lib/request';
import { QueueFullError, TaskAbortedError } from '../../../lib/errors';
import { SERVICE_NAME } from '../contract';

/** A failure answered with this status and details (INVALID_ARGUMENT, RESOURCE_EXHAUSTED, ...). */
export class CallError extends Error {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(details);
    this.name = 'CallError';
  }
}

export interface CallScope {
  /**
   * The call's deadline: it expires when the call is cancelled, by its client or by its own deadline (grpc-js
   * enforces that and reports it as a cancellation), or when the call fails. Its signal is made only for a call
   * that waits for a worker.
   */
  readonly deadline: Deadline;
  readonly span: Span;
  /** The call's logger, bound to its trace and request ids (made when first used). */
  logger(): Logger;
}

/** A handler of the service: resolves with the reply, or rejects (a CallError says how; anything else is a bug). */
export type CallHandler<Req, Res> = (request: Req, scope: CallScope) => Promise<Res>;

/** Turns a handler into a grpc-js unary handler: the call's span, logs, deadline and status, for `method`. */
export function unaryCall<Req, Res>(method: string, logger: Logger, handler: CallHandler<Req, Res>): grpc.handleUnaryCall<Req, Res> {
  const spanName = `${SERVICE_NAME}/${method}`;
  const spanAttributes = rpcSpanAttributes(SERVICE_NAME, method);
  return (call, callback) => {
    // The caller's trace (traceparent in the metadata) and request id, for the spans and log lines of this call.
    const { span, context: active } = startServerSpan(spanName, callContext(call.metadata), spanAttributes);
    let callLogger: Logger | undefined;
    const scope: CallScope = {
      deadline: new Deadline(deadlineMs(call.getDeadline())),
      span,
      logger: () => (callLogger ??= logger.child(logFields(active))),
    };
    const started = performance.now();
    // grpc-js reports 'cancelled' at the end of answered calls too, when the deadline is already finished.
    call.on('cancelled', () => scope.deadline.expire());
    const done = (error: Partial<grpc.ServiceError> | null, response?: Res): void => {
      // A call that failed on one of its parts stops waiting for the others.
      if (error) scope.deadline.expire();
      const code = error?.code ?? grpc.status.OK;
      span.setAttributes(rpcStatusAttributes(code));
      if (error) failSpan(span, new Error(error.details ?? ''), grpcCodeName(code));
      span.end();
      if (logger.isLevelEnabled('debug')) {
        const durationMs = Math.round((performance.now() - started) * 10) / 10;
        scope.logger().debug({ method, code: grpcCodeName(code), durationMs }, 'call served');
      }
      if (error) {
        callback(error);
      } else {
        callback(null, response);
        // Answered: its reply is encoded and on its way.
        scope.deadline.finish();
      }
    };
    context.with(active, () => {
      let answer: Promise<Res>;
      try {
        answer = handler(call.request, scope);
      } catch (error) {
        answer = Promise.reject(error);
      }
      answer.then(
        (response) => done(null, response),
        (error: unknown) => done(toServiceError(error, scope)),
      );
    });
  };
}

/** The parent context of a call: the caller's trace from `traceparent`, and its request id when it is a sane one. */
function callContext(metadata: grpc.Metadata): Context {
  const requestId = metadata.get(REQUEST_ID_HEADER)[0];
  return incomingContext(metadata, metadataGetter, isSaneRequestId(requestId) ? requestId : undefined);
}

function toServiceError(error: unknown, scope: CallScope): Partial<grpc.ServiceError> {
  if (error instanceof CallError) return { code: error.code, details: error.details };
  if (error instanceof QueueFullError) {
    return { code: grpc.status.RESOURCE_EXHAUSTED, details: `the factorial service is saturated (${error.message}); retry later` };
  }
  if (error instanceof TaskAbortedError) return { code: grpc.status.CANCELLED, details: 'the call was cancelled' };
  scope.logger().error({ err: error }, 'unexpected error in a factorial call');
  return { code: grpc.status.INTERNAL, details: 'internal error' };
}

/** A grpc-js deadline (a Date, or milliseconds since the epoch; Infinity when none) as milliseconds since the epoch. */
export function deadlineMs(deadline: Date | number): number {
  return deadline instanceof Date ? deadline.getTime() : deadline;
}
