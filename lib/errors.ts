// The error codes of the API (DESIGN.md), their HTTP statuses, and how gRPC failures map onto them.

import { status, type ServiceError } from '@grpc/grpc-js';
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  FACTORIAL_UNAVAILABLE: 'FACTORIAL_UNAVAILABLE',
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  RESOURCE_EXHAUSTED: 'RESOURCE_EXHAUSTED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The REST status for each code. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  BAD_USER_INPUT: 400,
  FACTORIAL_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL_SERVER_ERROR: 500,
};

/** Whether a string is one of the documented codes. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && code in HTTP_STATUS;
}

/** A GraphQL error with a documented code; its message goes to the client as written. */
export function apiError(code: ErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** A BAD_USER_INPUT error: say what was expected and what arrived. */
export function badInput(message: string): GraphQLError {
  return apiError(ErrorCode.BAD_USER_INPUT, message);
}

const STATUS_NAMES: Record<number, string> = Object.fromEntries(Object.entries(status).map(([name, code]) => [code, name]));

/** The name of a gRPC status code (`OK`, `UNAVAILABLE`, ...), as metrics label it. */
export function grpcCodeName(code: number): string {
  return STATUS_NAMES[code] ?? String(code);
}

/** Maps a failed call to the factorial service onto the API's codes; undefined for a status that is a bug. */
export function fromGrpcError(error: ServiceError): GraphQLError | undefined {
  switch (error.code) {
    case status.INVALID_ARGUMENT:
      return badInput(error.details);
    case status.UNAVAILABLE:
      return apiError(ErrorCode.FACTORIAL_UNAVAILABLE, 'the factorial service cannot be reached; retry later');
    case status.DEADLINE_EXCEEDED:
    case status.CANCELLED:
      return apiError(ErrorCode.DEADLINE_EXCEEDED, "the request's time budget ran out");
    case status.RESOURCE_EXHAUSTED:
      return apiError(ErrorCode.RESOURCE_EXHAUSTED, 'the factorial service is saturated; retry later');
    default:
      return undefined;
  }
}
