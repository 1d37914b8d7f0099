// What a Fastify server answers when no route or the HTTP layer refuses a request: a JSON body shaped as GraphQL's
// errors, with a registered code, never Fastify's own FST_ERR_* shape, an HTML page or a stack.

import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERRORS, type ErrorCode } from '../errors';
import { JsonTooDeepError } from './json-depth';

/** What the HTTP layer needs of a logger: to report a bug of ours with its stack (any pino logger is one). */
export interface ErrorLogger {
  error(fields: object, message: string): void;
}

/** A GraphQL-shaped error body. */
export function errorBody(message: string, code: ErrorCode): { errors: { message: string; extensions: { code: ErrorCode } }[] } {
  return { errors: [{ message, extensions: { code } }] };
}

/**
 * Unknown routes answer 404 NOT_FOUND; a body too large, malformed JSON or a bad content type 4xx BAD_REQUEST;
 * anything else in the HTTP layer is a bug: 500 INTERNAL_SERVER_ERROR, logged with its stack. Set these before
 * registering the routes that should inherit them.
 */
export function jsonErrorHandlers(
  app: FastifyInstance,
  options: {
    bodyLimit: number;
    logger: ErrorLogger;
    /** Told of every refusal (the client's doing), to count and log it. */
    refused?: (request: FastifyRequest, code: ErrorCode, message: string) => void;
  },
): void {
  app.setNotFoundHandler((request, reply) => {
    options.refused?.(request, 'NOT_FOUND', 'not found');
    return reply.code(404).send(errorBody('not found', 'NOT_FOUND'));
  });
  app.setErrorHandler((error: { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      options.logger.error({ err: error, request_id: request.id }, 'unexpected error in the HTTP layer');
      return reply.code(500).send(errorBody(ERRORS.INTERNAL_SERVER_ERROR.message, 'INTERNAL_SERVER_ERROR'));
    }
    const message =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `request body too large (limit ${options.bodyLimit} bytes)`
        : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'unsupported content type: send application/json'
          : error instanceof JsonTooDeepError
            ? error.message
            : 'malformed request';
    options.refused?.(request, 'BAD_REQUEST', message);
    return reply.code(status).send(errorBody(message, 'BAD_REQUEST'));
  });
}

/**
 * What Node.js's HTTP parser refuses before any route runs (headers too large, a request too slow, malformed HTTP),
 * answered as every other refusal: a GraphQL-shaped body with BAD_REQUEST, then the connection closed. Fastify's own
 * handler answers these in a shape of its own, with no code.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'the request did not arrive in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'the request line and headers are too large: send large variables in a POST body']
        : [400, 'malformed HTTP request'];
  const body = JSON.stringify(errorBody(message, 'BAD_REQUEST'));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
