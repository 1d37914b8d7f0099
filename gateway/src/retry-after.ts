// GraphQL answers whose failure a retry can help (a subgraph or the factorial service down, saturation, a deadline)
// say when to retry, as REST answers do: Retry-After. The status stays Apollo's: 200 with the errors in the body
// for a GraphQL response, as the GraphQL-over-HTTP spec and Apollo Router have it.

import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { ERRORS, isErrorCode, RETRY_AFTER_SECONDS } from '../../lib/errors';

/** Sets `Retry-After` on an answer with at least one retryable error. */
export function retryAfter<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  const listener: GraphQLRequestListener<TContext> = {
    async willSendResponse({ response }) {
      if (response.body.kind !== 'single') return;
      const retryable = response.body.singleResult.errors?.some((error) => {
        const code = error.extensions?.code;
        return isErrorCode(code) && ERRORS[code].retryable;
      });
      if (retryable) response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
    },
  };
  return { requestDidStart: async () => listener };
}
