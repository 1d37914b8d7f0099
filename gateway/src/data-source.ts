// The data source for the math subgraph: forwards the request's remaining time budget as a header.

import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { apiError, ErrorCode } from '../../lib/errors';
import { REQUEST_TIMEOUT_HEADER } from '../../lib/request-budget';
import type { GatewayContext } from './context';

export class BudgetedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const deadline = (context as Partial<GatewayContext>).deadline;
    if (deadline === undefined) return;
    const remaining = Math.floor(deadline - Date.now());
    if (remaining <= 0) throw apiError(ErrorCode.DEADLINE_EXCEEDED, "the request's time budget ran out");
    request.http?.headers.set(REQUEST_TIMEOUT_HEADER, String(remaining));
  }
}
