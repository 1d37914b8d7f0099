// What a Fastify server answers when no route or the HTTP layer refuses a request: a JSON body shaped as GraphQL's
// errors, with a registered code, never Fastify's own FST_ERR_* shape, an HTML page or a stack.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERRORS, type ErrorCode } from '../errors';
import type { Logger } from '../observability';

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
    logger: Logger;
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
          : 'malformed request';
    options.refused?.(request, 'BAD_REQUEST', message);
    return reply.code(status).send(errorBody(message, 'BAD_REQUEST'));
  });
}
