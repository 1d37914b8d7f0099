// GraphQL errors with a registered code (lib/errors): what resolvers throw when a request cannot be answered.

import { GraphQLError } from 'graphql';
import { ERRORS, type ErrorCode } from '../errors';

/** A GraphQL error with a registered code; its message (the code's default when omitted) reaches the client as written. */
export function apiError(code: ErrorCode, message: string = ERRORS[code].message): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** A BAD_USER_INPUT error: say what was expected and what arrived. */
export function badInput(message: string): GraphQLError {
  return apiError('BAD_USER_INPUT', message);
}
