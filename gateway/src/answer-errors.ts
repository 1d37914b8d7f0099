// What the gateway does to the errors of an answer before it goes out: one of each (a plan's fetches can fail alike,
// a subgraph that is down fails each fetch to it), and Retry-After when a retry can help (a subgraph or the factorial
// service down, saturation, a deadline), as REST answers have it. The status stays Apollo's: 200 with the errors in
// the body for a GraphQL response, as the GraphQL-over-HTTP spec and Apollo Router have it.

import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { ERRORS, isErrorCode, RETRY_AFTER_SECONDS } from '../../lib/errors';

/** Drops repeated errors (same message, code and path) and sets `Retry-After` on an answer with a retryable one. */
export function answerErrors<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  const listener: GraphQLRequestListener<TContext> = {
    async willSendResponse({ response }) {
      if (response.body.kind !== 'single') return;
      const result = response.body.singleResult;
      if (!result.errors?.length) return;
      const seen = new Set<string>();
      const errors = result.errors.filter((error) => {
        const key = JSON.stringify([error.message, error.extensions?.code, error.path]);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      if (errors.length < result.errors.length) result.errors = errors;
      const retryable = errors.some((error) => {
        const code = error.extensions?.code;
        return isErrorCode(code) && ERRORS[code].retryable;
      });
      if (retryable) response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
    },
  };
  return { requestDidStart: async () => listener };
}
