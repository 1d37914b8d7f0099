// What a client sees of an error: documented codes pass with their message; anything else is masked (and
// logged, with the request's ids, by observe-operations.ts).

import { ApolloServerErrorCode } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, isErrorCode } from './errors';

const PASS_THROUGH = new Set<string>([...Object.values(ApolloServerErrorCode), ...Object.values(ErrorCode)]);
PASS_THROUGH.delete(ErrorCode.INTERNAL_SERVER_ERROR);

/** Whether an error with this code reaches the client as it is (a documented code, never INTERNAL_SERVER_ERROR). */
export function isPublicCode(code: unknown): boolean {
  return typeof code === 'string' && (PASS_THROUGH.has(code) || isErrorCode(code)) && code !== ErrorCode.INTERNAL_SERVER_ERROR;
}

/** An Apollo Server formatError: never a stack trace, never an unexpected error's message. */
export function createErrorFormatter(): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted) => {
    const code = formatted.extensions?.code;
    if (isPublicCode(code)) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
    }
    return { message: 'Internal server error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}
