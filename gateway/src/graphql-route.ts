// The /graphql route: the gate first (who is asking, and its operation's unit of work), the persisted query list, then
// a known answer sent before
// Apollo Server runs (the cache of answers: this process's, then every replica's); anything else goes through Apollo
// Server's Fastify handler, and its answer is offered to the cache once written.

import type { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, type ErrorCode } from '../../lib/errors';
import { errorBody } from '../../lib/http';
import { REQUEST_ID_HEADER } from '../../lib/request';
import type { Answers } from './answers';
import type { ClientIdentity } from './clients';
import type { GatewayContext } from './context';
import type { Logger } from '../../lib/observability';
import type { Gate } from './quotas';
import type { TrustedDocuments } from './trusted-documents';

export interface GraphQLRouteOptions {
  apollo: ApolloServer<GatewayContext>;
  answers: Answers;
  gate: Gate;
  /** The persisted query list, checked after the gate and before the cache. */
  documents: TrustedDocuments;
  /** A request's logger (bound to its ids). */
  logger(request: FastifyRequest): Logger;
  /** A request's context, made when Apollo Server runs for it. */
  context(request: FastifyRequest, reply: FastifyReply, client: ClientIdentity): GatewayContext;
  /** Told of every refusal the gate makes, to count and log it. */
  refused(request: FastifyRequest, code: ErrorCode, message: string): void;
}

export function graphqlRoute(app: FastifyInstance, options: GraphQLRouteOptions): void {
  const { answers, gate } = options;
  const contexts = new WeakMap<FastifyRequest, GatewayContext>();
  const handle = fastifyApolloHandler(options.apollo, {
    context: async (request) => contexts.get(request)!,
  }) as (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  app.route({
    method: ['GET', 'POST', 'OPTIONS'],
    url: '/graphql',
    handler: async (request, reply) => {
      if (request.method === 'OPTIONS') return handle.call(app, request, reply);
      const admission = gate.admitAtOnce(request) ?? (await gate.admit(request, reply));
      void reply.headers(admission.headers);
      if (!admission.admitted) {
        options.refused(request, admission.code, admission.message);
        return reply
          .code(ERRORS[admission.code].status)
          .header(REQUEST_ID_HEADER, request.id)
          .send(errorBody(admission.message, admission.code));
      }
      // Only the operations the list holds, when the list is enforced (a listed id becomes its body here).
      const verdict = options.documents.check(request, admission.client, () => options.logger(request));
      if (!verdict.ok) {
        options.refused(request, verdict.code, verdict.message);
        return reply.code(ERRORS[verdict.code].status).header(REQUEST_ID_HEADER, request.id).send(errorBody(verdict.message, verdict.code));
      }
      // This process's answers first, without waiting on anything; then every replica's, if there is a shared tier.
      const lookup = answers.routeLookup(request);
      const cached = lookup && (answers.memoryAnswer(lookup) ?? (await answers.sharedAnswer(lookup)));
      if (cached) return reply.headers(cached.headers).header(REQUEST_ID_HEADER, request.id).send(cached.body);
      const context = options.context(request, reply, admission.client);
      contexts.set(request, context);
      let body: unknown;
      try {
        body = await handle.call(app, request, reply);
        return body;
      } finally {
        // Kept if its policy allows; requests waiting for the same answer are woken either way.
        answers.finish(context.answers, request.headers.accept, reply.getHeader('content-type'), body);
      }
    },
  });
}
