// How long an HTTP server waits for a client, at every stage: its headers, its whole request, an idle keep-alive
// connection, and a client that stops reading its answer. Node.js's own defaults wait a minute for headers (checked
// every 30 s) and forever for the rest.

import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { readInt } from '../config';
import { clientErrorHandler } from './errors';

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
  clientErrorHandler: typeof clientErrorHandler;
} {
  return {
    // Requests too slow to arrive are refused by Node.js's parser: answered with a code, like every refusal.
    clientErrorHandler,
    serverFactory: (handler) => createTimedServer(timeouts, handler),
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    requestTimeout: timeouts.requestMs,
  };
}

/**
 * Two guards Node.js lacks, on every request of a Fastify app:
 * - the whole request must arrive within `requestMs` of its headers' start (Node.js's own requestTimeout does not
 *   catch a body that stalls once its handler has started reading it);
 * - once an answer is handed to the connection and the client stops reading it (the socket's buffer stays full),
 *   the connection is closed after `sendMs` without progress: a client that never reads would otherwise hold its
 *   answers, and the kernel's buffers, until the idle timeout.
 */
export function guardSlowClients(app: FastifyInstance, timeouts: HttpTimeouts, registry?: Registry): void {
  const closed = registry
    ? new Counter({
        name: 'http_slow_clients_closed_total',
        help: 'Connections closed because their client was too slow: sending its request (request) or reading its answer (send).',
        labelNames: ['reason'],
        registers: [registry],
      })
    : undefined;
  const watched = new WeakSet<Socket>();
  app.addHook('onRequest', (request, reply, done) => {
    const raw = request.raw;
    if (!raw.complete) {
      const timer = setTimeout(() => {
        if (raw.complete || !raw.socket || raw.socket.destroyed) return;
        closed?.inc({ reason: 'request' });
        raw.socket.resetAndDestroy();
      }, timeouts.requestMs);
      timer.unref();
      reply.raw.once('close', () => clearTimeout(timer));
      raw.once('end', () => clearTimeout(timer));
    }
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const socket = request.raw.socket;
    if (socket && !watched.has(socket)) {
      watched.add(socket);
      watchSendProgress(socket, timeouts.sendMs, () => closed?.inc({ reason: 'send' }));
    }
    // The answer is written right after this hook: look at the buffer once it is.
    if (socket) setImmediate(() => socket.emit(CHECK_SEND_PROGRESS));
    done(null, payload);
  });
}

/** The event that asks a watched socket to look at its buffer (after an answer was handed to it). */
const CHECK_SEND_PROGRESS = 'check-send-progress';

/**
 * Resets `socket` when its write buffer stays full for `ms` without a 'drain' (its client does not read). A reset, not
 * a close: a closed socket's unsent bytes stay in the kernel until they are sent, which a client that never reads
 * never lets happen.
 */
function watchSendProgress(socket: Socket, ms: number, onClose: () => void): void {
  let timer: NodeJS.Timeout | undefined;
  socket.on(CHECK_SEND_PROGRESS, () => {
    if (!socket.writableNeedDrain || timer) return;
    timer = setTimeout(() => {
      if (socket.destroyed) return;
      onClose();
      socket.resetAndDestroy();
    }, ms);
    timer.unref();
  });
  socket.on('drain', () => {
    clearTimeout(timer);
    timer = undefined;
  });
  socket.once('close', () => clearTimeout(timer));
}
