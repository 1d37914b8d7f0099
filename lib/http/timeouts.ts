// How long an HTTP server waits for a client, at every stage: its headers, its whole request, an idle keep-alive
// connection, and a client that stops reading its answer. Node.js's own defaults wait a minute for headers (checked
// every 30 s) and forever for the rest.

import { createServer, type RequestListener, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { readInt } from '../config';

export interface HttpTimeouts {
  /** Time to receive a request's line and headers (slowloris). */
  readonly headersMs: number;
  /** Time to receive a whole request, headers and body (a stalled upload). */
  readonly requestMs: number;
  /** Time an idle keep-alive connection is kept between requests. */
  readonly keepAliveMs: number;
  /** Time a connection may make no progress while its answer is being computed (the request timeout, plus a margin). */
  readonly idleMs: number;
  /** Time a client may stop reading its answer before the connection is closed. */
  readonly sendMs: number;
}

/**
 * Reads HTTP_HEADERS_TIMEOUT_MS (default 10 s), HTTP_REQUEST_TIMEOUT_MS (15 s), HTTP_KEEP_ALIVE_TIMEOUT_MS (5 s) and
 * HTTP_SEND_TIMEOUT_MS (10 s); the idle timeout is the request timeout plus 5 s, so that no legal request is cut.
 */
export function readHttpTimeouts(env: Readonly<Record<string, string | undefined>>, requestTimeoutMs: number): HttpTimeouts {
  const headersMs = readInt(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, { min: 100, max: 600_000 });
  return Object.freeze({
    headersMs,
    requestMs: readInt(env, 'HTTP_REQUEST_TIMEOUT_MS', Math.max(15_000, headersMs), { min: headersMs, max: 600_000 }),
    keepAliveMs: readInt(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, { min: 100, max: 600_000 }),
    idleMs: requestTimeoutMs + 5_000,
    sendMs: readInt(env, 'HTTP_SEND_TIMEOUT_MS', 10_000, { min: 100, max: 600_000 }),
  });
}

/** The defaults, for servers built without settings (tests, benchmarks). */
export function defaultHttpTimeouts(requestTimeoutMs = 30_000): HttpTimeouts {
  return readHttpTimeouts({}, requestTimeoutMs);
}

/** How often Node.js checks the headers and request timeouts (its default, 30 s, lets them run 30 s late). */
const CHECK_EVERY_MS = 500;

/** A node:http server with these timeouts (for Fastify's serverFactory, or on its own). */
export function createTimedServer(timeouts: HttpTimeouts, handler?: RequestListener): Server {
  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      connectionsCheckingInterval: CHECK_EVERY_MS,
    },
    handler,
  );
  // No byte in either direction for this long while a request is open: the connection is closed.
  server.timeout = timeouts.idleMs;
  return server;
}

/**
 * Fastify options for a server with these timeouts, and the hook that gives a client `sendMs` to read its answer:
 * once the answer is being sent, a connection that makes no progress for that long is closed (a client that never
 * reads would otherwise hold its answer, and the kernel's buffers, until the idle timeout).
 */
export function timedFastifyOptions(timeouts: HttpTimeouts): {
  serverFactory: (handler: RequestListener) => Server;
  connectionTimeout: number;
  keepAliveTimeout: number;
  requestTimeout: number;
} {
  return {
    serverFactory: (handler) => createTimedServer(timeouts, handler),
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    requestTimeout: timeouts.requestMs,
  };
}

/** Gives each client `sendMs` of no progress, once its answer is on its way, before its connection is closed. */
export function limitSendTime(app: FastifyInstance, timeouts: HttpTimeouts): void {
  app.addHook('onSend', (request, _reply, payload, done) => {
    request.raw.socket?.setTimeout(timeouts.sendMs);
    done(null, payload);
  });
}
