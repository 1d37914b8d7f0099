// Request ids, trace context and SERVER spans for a Fastify app: each request has a context carrying its trace
// and its id, so the calls, spans and log lines made while serving it join the caller's trace.

import { context, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../logger';
import { isSaneRequestId, REQUEST_ID_HEADER } from '../../request';
import { headerGetter, incomingContext, installPropagator, isRecording, logFields, startServerSpan } from './spans';

/** Fastify's genReqId: the caller's request id when it is a sane one (so its logs and ours line up), else a new one. */
export function requestIdOf(request: IncomingMessage): string {
  const id = request.headers[REQUEST_ID_HEADER];
  return isSaneRequestId(id) ? id : randomUUID();
}

/** Paths that get neither spans nor request logs: probes and scrapes, which would drown the traces. */
const UNTRACED = new Set(['/health', '/ready', '/metrics']);

interface Traced {
  span: Span;
  context: Context;
  ended: boolean;
}

/** A request's trace context (pass it to the calls the request makes) and its logger (bound to its ids). */
export interface RequestTrace {
  readonly context: Context;
  readonly logger: Logger;
}

/**
 * Trace context and a logger for each request of a Fastify app. The caller's `traceparent` is honoured; with
 * `originate` (the edge) a request without one gets a trace id here. With tracing on, hooks start a SERVER
 * span named after the route for every request but the probes, and run the handlers in its context; with
 * tracing off there are no hooks at all, and the context is read from the headers when first asked for.
 */
export function traceRequests(
  app: FastifyInstance<RawServerDefault>,
  options: { originate: boolean; logger: Logger },
): (request: FastifyRequest) => RequestTrace {
  installPropagator();
  const traced = new WeakMap<FastifyRequest, Traced>();
  const forRequest = (request: FastifyRequest): RequestTrace => {
    const active =
      traced.get(request)?.context ?? incomingContext(request.headers, headerGetter, request.id, { originate: options.originate });
    let logger: Logger | undefined;
    return {
      context: active,
      // A child logger costs a little: made only when the request logs.
      get logger() {
        return (logger ??= options.logger.child(logFields(active)));
      },
    };
  };
  if (!isRecording()) return forRequest;

  const finish = (request: FastifyRequest, statusCode: number | undefined): void => {
    const entry = traced.get(request);
    if (!entry || entry.ended) return;
    entry.ended = true;
    const route = request.routeOptions.url;
    if (route) {
      entry.span.updateName(`${request.method} ${route}`);
      entry.span.setAttribute(ATTR_HTTP_ROUTE, route);
    }
    if (statusCode === undefined) {
      entry.span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client went away' });
      entry.span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
    } else {
      entry.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
      if (statusCode >= 500) entry.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    entry.span.end();
  };

  app.addHook('onRequest', (request, _reply, done) => {
    const path = request.url.split('?')[0]!;
    if (UNTRACED.has(path)) return done();
    const parent = incomingContext(request.headers, headerGetter, request.id);
    const attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: request.method,
      [ATTR_URL_PATH]: path,
      [ATTR_URL_SCHEME]: 'http',
      [ATTR_SERVER_PORT]: request.socket.localPort ?? 0,
      [ATTR_CLIENT_ADDRESS]: request.ip,
      [ATTR_USER_AGENT_ORIGINAL]: request.headers['user-agent'] ?? '',
    };
    const { span, context: active } = startServerSpan(request.method, parent, attributes);
    traced.set(request, { span, context: active, ended: false });
    context.with(active, done);
  });
  // The body arrives on socket events, outside the request's context: enter it again before the handler.
  app.addHook('preHandler', (request, _reply, done) => {
    const entry = traced.get(request);
    if (entry) context.with(entry.context, done);
    else done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    finish(request, reply.statusCode);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    finish(request, undefined);
    done();
  });
  return forRequest;
}
