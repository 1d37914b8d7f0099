// The data source for the math subgraph: forwards the request's id and remaining time budget as headers.

import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { apiError, ErrorCode } from '../../lib/errors';
import { REQUEST_ID_HEADER, REQUEST_TIMEOUT_HEADER } from '../../lib/request-budget';
import type { GatewayContext } from './context';

export class BudgetedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const { deadline, requestId } = context as Partial<GatewayContext>;
    if (requestId) request.http?.headers.set(REQUEST_ID_HEADER, requestId);
    if (deadline === undefined) return;
    const remaining = Math.floor(deadline - Date.now());
    if (remaining <= 0) throw apiError(ErrorCode.DEADLINE_EXCEEDED, "the request's time budget ran out");
    request.http?.headers.set(REQUEST_TIMEOUT_HEADER, String(remaining));
  }

  override didEncounterError(error: Error): never {
    // The call was cancelled because the client went away: nobody reads this answer.
    if (error.name === 'AbortError') throw apiError(ErrorCode.DEADLINE_EXCEEDED, 'the request was cancelled');
    throw error;
  }
}
