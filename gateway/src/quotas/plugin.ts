// The quota in Apollo Server's pipeline: an operation that is to be computed (the cache of answers had nothing) is
// charged its work beyond the unit the route charged, and refused with 429 RATE_LIMITED when over its client's quota.
// Installed after the cache of answers' plugin: an answer served from the cache costs only the route's unit.

import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestListener, type GraphQLResponse } from '@apollo/server';
import { ERRORS } from '../../../lib/errors';
import type { Deadline } from '../../../lib/request';
import type { ClientIdentity } from '../clients';
import type { Tarpit } from './tarpit';
import { operationWork } from './work';
import { quotaRefusal, rateLimitHeaders, type Decision, type Quotas } from './quotas';

/** What the plugin needs of a request's context: who sent it (absent: the REST route's own operation). */
export interface QuotaContext {
  client?: ClientIdentity;
}

export function quotaPlugin<TContext extends QuotaContext & { deadline?: Deadline }>(
  quotas: Quotas,
  maxResultDigits: number,
  tarpit: Tarpit,
): ApolloServerPlugin<TContext> {
  // Each request's decision, for its answer's RateLimit headers.
  const decisions = new WeakMap<object, Decision>();
  const listener: GraphQLRequestListener<TContext> = {
    async responseForOperation({ contextValue, document, operation, request }) {
      const client = contextValue.client;
      if (!client || !operation || !quotas.enabled) return null;
      // The route charged the operation's own unit already.
      const units = operationWork(document, operation, request.variables, maxResultDigits) - 1;
      const decision = await quotas.take(client, units);
      if (!decision) return null;
      decisions.set(contextValue, decision);
      if (decision.allowed) return null;
      // Held before it is sent, as the route holds its refusals; a client that leaves is let go.
      const refusal = quotaRefusal(decision, units + 1);
      const deadline = contextValue.deadline;
      await tarpit.hold(refusal.holdSeconds, deadline && ((listener) => deadline.onExpire(listener)));
      const response: Pick<GraphQLResponse, 'body' | 'http'> = {
        body: { kind: 'single', singleResult: { errors: [{ message: refusal.message, extensions: { code: refusal.code } }] } },
        http: { status: ERRORS[refusal.code].status, headers: new HeaderMap(Object.entries(refusal.headers)) },
      };
      return response as GraphQLResponse;
    },
    async willSendResponse({ contextValue, response }) {
      const decision = decisions.get(contextValue);
      if (!decision?.allowed) return;
      for (const [name, value] of Object.entries(rateLimitHeaders(decision))) response.http.headers.set(name, value);
    },
  };
  return { requestDidStart: async () => listener };
}
