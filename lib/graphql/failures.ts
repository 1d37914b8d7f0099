// What a failure below a resolver means to a GraphQL client: a failed gRPC call's status, a full worker queue or an
// aborted task, mapped onto the API's codes.

import { status, type ServiceError } from '@grpc/grpc-js';
import { GraphQLError } from 'graphql';
import { QueueFullError, TaskAbortedError } from '../errors';
import { apiError } from './api-error';

/** Whether an error is a failed gRPC call (grpc-js's ServiceError). */
export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'details' in error;
}

/**
 * Maps a failed call to the factorial service onto the API's codes; undefined for a status that is a bug of ours
 * (INVALID_ARGUMENT included: the subgraphs check every argument first, so the service refusing one is our mistake).
 */
export function fromGrpcError(error: ServiceError): GraphQLError | undefined {
  switch (error.code) {
    case status.UNAVAILABLE:
      return apiError('FACTORIAL_UNAVAILABLE');
    case status.DEADLINE_EXCEEDED:
    case status.CANCELLED:
      return apiError('DEADLINE_EXCEEDED');
    case status.RESOURCE_EXHAUSTED:
      return apiError('RESOURCE_EXHAUSTED', 'the factorial service is saturated; retry later');
    default:
      return undefined;
  }
}

/**
 * The API error a resolver's failure becomes: GraphQL errors as they are; a full worker queue is RESOURCE_EXHAUSTED
 * (`who` is saturated), an aborted task DEADLINE_EXCEEDED, a failed gRPC call its mapped code. Anything else is
 * returned as it is: a bug, masked for the client and logged.
 */
export function toApiError(error: unknown, who: string): unknown {
  if (error instanceof GraphQLError) return error;
  if (error instanceof QueueFullError) return apiError('RESOURCE_EXHAUSTED', `${who} is saturated; retry later`);
  if (error instanceof TaskAbortedError) return apiError('DEADLINE_EXCEEDED');
  if (isServiceError(error)) return fromGrpcError(error) ?? error;
  return error;
}
