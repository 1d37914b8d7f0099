// What a client sees of an error: documented codes pass with their message; anything else is logged and masked.

import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, isErrorCode } from './errors';
import type { Logger } from './logger';

const PASS_THROUGH = new Set<string>([...Object.values(ApolloServerErrorCode), ...Object.values(ErrorCode)]);
PASS_THROUGH.delete(ErrorCode.INTERNAL_SERVER_ERROR);

/** An Apollo Server formatError: never a stack trace, never an unexpected error's message. */
export function createErrorFormatter(logger: Logger): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && (PASS_THROUGH.has(code) || isErrorCode(code)) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
    }
    logger.error({ err: unwrapResolverError(error), path: formatted.path?.join('.') }, 'unexpected error, masked for the client');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}
