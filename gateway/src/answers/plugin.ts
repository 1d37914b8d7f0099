// The cache of answers in Apollo Server's pipeline: looks answers up by the normalized document before the operation
// is planned (a hit skips planning and the subgraphs), says which answers may be kept, marks answers hit or miss, and
// empties the cache when the schema changes. Runs after Apollo's cache-control plugin (whose policy it reads).

import { createHash } from 'node:crypto';
import { printSchema } from 'graphql';
import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestListener, type GraphQLResponse } from '@apollo/server';
import { ageSeconds, CACHE_STATUS_HEADER, CACHE_TIER_HEADER, type Answers, type AnswerTicket } from './answers';
import { sharedMaxAge } from './cache-control';

/** What the plugin needs of a request's context: its handle on the cache (absent: the request opts out). */
export interface AnswersContext {
  answers?: AnswerTicket;
}

/** `onSchemaChange`: what else to forget when the supergraph changes (the entity cache). */
export function answersPlugin<TContext extends AnswersContext>(
  answers: Answers,
  onSchemaChange?: () => void,
): ApolloServerPlugin<TContext> {
  const listener: GraphQLRequestListener<TContext> = {
    async responseForOperation({ contextValue, operation, document, request, overallCachePolicy }) {
      const ticket = contextValue.answers;
      if (!ticket || operation?.operation !== 'query' || request.http?.headers.get('apollo-query-plan-experimental') !== undefined) {
        return null;
      }
      const answer = await answers.answerFor(ticket, document, request);
      if (!answer) return null;
      // The answer's policy is the kept one, less the time it has been kept.
      const age = ageSeconds(answer);
      overallCachePolicy.replace({ maxAge: Math.max(0, answer.maxAgeSeconds - age), scope: 'PUBLIC' });
      const response: Pick<GraphQLResponse, 'body' | 'http'> = {
        body: { kind: 'single', singleResult: JSON.parse(answer.body.toString('utf8')) },
        http: { status: undefined, headers: new HeaderMap([['age', String(age)]]) },
      };
      return response as GraphQLResponse;
    },
    async willSendResponse({ contextValue, response }) {
      const ticket = contextValue.answers;
      if (!ticket?.key) return;
      response.http.headers.set(CACHE_STATUS_HEADER, ticket.hit ? 'hit' : 'miss');
      if (ticket.tier) response.http.headers.set(CACHE_TIER_HEADER, ticket.tier);
      if (ticket.hit || response.body.kind !== 'single') return;
      const { errors, data } = response.body.singleResult;
      const cacheControl = response.http.headers.get('cache-control');
      const maxAgeSeconds = sharedMaxAge(cacheControl);
      if (errors?.length || !data || !maxAgeSeconds) return;
      ticket.keep = { cacheControl: cacheControl!, maxAgeSeconds };
    },
  };
  return {
    async serverWillStart() {
      // A new supergraph may answer differently: nothing kept from the old one is served, by any replica.
      return {
        schemaDidLoadOrUpdate: ({ coreSupergraphSdl, apiSchema }) => {
          answers.schemaChanged(
            createHash('sha256')
              .update(coreSupergraphSdl ?? printSchema(apiSchema))
              .digest('base64url')
              .slice(0, 16),
          );
          onSchemaChange?.();
        },
      };
    },
    requestDidStart: async () => listener,
  };
}
