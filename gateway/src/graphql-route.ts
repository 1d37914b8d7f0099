// The /graphql route: a known answer is sent before Apollo Server runs (the cache of answers); anything else goes
// through Apollo Server's Fastify handler, and its answer is offered to the cache once written.

import type { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER } from '../../lib/request';
import type { Answers } from './answers';
import type { GatewayContext } from './context';

export interface GraphQLRouteOptions {
  apollo: ApolloServer<GatewayContext>;
  answers: Answers;
  /** A request's context, made when Apollo Server runs for it. */
  context(request: FastifyRequest, reply: FastifyReply): GatewayContext;
}

export function graphqlRoute(app: FastifyInstance, options: GraphQLRouteOptions): void {
  const { answers } = options;
  const contexts = new WeakMap<FastifyRequest, GatewayContext>();
  const handle = fastifyApolloHandler(options.apollo, {
    context: async (request, reply) => contexts.get(request) ?? options.context(request, reply),
  }) as (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  app.route({
    method: ['GET', 'POST', 'OPTIONS'],
    url: '/graphql',
    handler: async (request, reply) => {
      const cached = answers.graphqlAnswer(request);
      if (cached) return reply.headers(cached.headers).header(REQUEST_ID_HEADER, request.id).send(cached.body);
      const context = options.context(request, reply);
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
