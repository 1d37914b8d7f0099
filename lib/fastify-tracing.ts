// Request ids and SERVER spans for a Fastify app: every request runs in a context that carries its trace
// and its id, so the spans and log lines made while serving it (Apollo's included) join the caller's trace.

import { context, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { isSaneRequestId, REQUEST_ID_HEADER } from './request-budget';
import { incomingContext, installTraceContext, startServerSpan } from './telemetry';

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

/**
 * Traces every request but the probes: extracts the caller's `traceparent` (or, with `originate`, starts a
 * trace id at this edge), starts a SERVER span named after the route, and runs the handlers in its
 * context. The response carries the request id (`x-request-id`).
 */
export function traceRequests(app: FastifyInstance<RawServerDefault>, options: { originate: boolean }): void {
  installTraceContext();
  const traced = new WeakMap<FastifyRequest, Traced>();
  const finish = (request: FastifyRequest, statusCode: number | undefined): void => {
    const entry = traced.get(request);
    if (!entry || entry.ended) return;
    entry.ended = true;
    const route = request.routeOptions.url;
    if (route) {
      entry.span.updateName(`${request.method} ${route}`);
      entry.span.setAttribute('http.route', route);
    }
    if (statusCode === undefined) {
      entry.span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client went away' });
      entry.span.setAttribute('error.type', 'aborted');
    } else {
      entry.span.setAttribute('http.response.status_code', statusCode);
      if (statusCode >= 500) entry.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    entry.span.end();
  };

  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    const path = request.url.split('?')[0]!;
    if (UNTRACED.has(path)) return done();
    const parent = incomingContext(request.headers, request.id);
    const attributes = {
      'http.request.method': request.method,
      'url.path': path,
      'url.scheme': 'http',
      'server.port': request.socket.localPort ?? 0,
      'client.address': request.ip,
      'user_agent.original': request.headers['user-agent'] ?? '',
    };
    const { span, context: active } = startServerSpan(request.method, parent, attributes, { originate: options.originate });
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
}
