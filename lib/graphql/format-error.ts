// What a client sees of an error: registered codes pass with their message; anything else is masked (and logged,
// with the request's ids, by observe-operations.ts).

import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ERRORS, isErrorCode, type ErrorCode } from '../errors';

/** Whether an error with this code reaches the client as it is (a registered code, never INTERNAL_SERVER_ERROR). */
export function isPublicCode(code: unknown): code is ErrorCode {
  return isErrorCode(code) && code !== 'INTERNAL_SERVER_ERROR';
}

/**
 * The code an error carries for the client. Apollo Server refuses some malformed requests (an APQ hash that does
 * not match its query, an unknown APQ version) with an HTTP 4xx status and no code, which it would report as
 * INTERNAL_SERVER_ERROR: an error with a 4xx status is the client's doing, so it is BAD_REQUEST.
 */
export function clientCodeOf(formatted: GraphQLFormattedError, error: unknown): ErrorCode {
  const code = formatted.extensions?.code;
  if (isPublicCode(code)) return code;
  const original = unwrapResolverError(error);
  const status = original instanceof GraphQLError ? (original.extensions?.http as { status?: unknown } | undefined)?.status : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) return 'BAD_REQUEST';
  return 'INTERNAL_SERVER_ERROR';
}

/** An Apollo Server formatError: never a stack trace, never an unexpected error's message. */
export function createErrorFormatter(): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const code = clientCodeOf(formatted, error);
    if (code !== 'INTERNAL_SERVER_ERROR') {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
    }
    return { message: ERRORS.INTERNAL_SERVER_ERROR.message, path: formatted.path, extensions: { code } };
  };
}
