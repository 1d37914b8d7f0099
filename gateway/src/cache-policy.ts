// GraphQL answers as cacheable as the REST route's: every field of this API is a pure function of its arguments,
// so a successful query answer never changes. Sent over GET (with automatic persisted queries, a short URL), it can
// be kept by browsers and CDNs for a year.

import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';

/** The Cache-Control of an answer that never changes (the REST route's too). */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Whether an operation's answer can never change: a query whose root selections are all fields of this API.
 * Introspection (`__schema`, `__type`) changes with a deploy, and a fragment at the root is not looked into.
 */
export function isImmutableOperation(operation: OperationDefinitionNode): boolean {
  if (operation.operation !== 'query') return false;
  return operation.selectionSet.selections.every(
    (selection) => selection.kind === Kind.FIELD && (!selection.name.value.startsWith('__') || selection.name.value === '__typename'),
  );
}

/**
 * Marks a successful answer to a GET query immutable. Anything else (POST, errors, partial data, introspection)
 * keeps Apollo's `no-store`. It must come after Apollo's cache-control plugin, which sets `no-store` first.
 */
export function immutableAnswers<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  // One listener for every request: it keeps no state of its own.
  const listener: GraphQLRequestListener<TContext> = {
    async willSendResponse({ request, response, operation, errors }) {
      if (request.http?.method !== 'GET' || !operation || !isImmutableOperation(operation) || errors?.length) return;
      const { body } = response;
      if (body.kind !== 'single' || body.singleResult.errors?.length || !body.singleResult.data) return;
      response.http.headers.set('cache-control', IMMUTABLE);
      // The content type follows the request's Accept (application/json or application/graphql-response+json).
      const vary = response.http.headers.get('vary') ?? '';
      if (!/(^|,)\s*accept\s*(,|$)/i.test(vary)) response.http.headers.set('vary', vary ? `${vary}, accept` : 'accept');
    },
  };
  return { requestDidStart: async () => listener };
}
