// The REST route of the tutorial, GET /api/ncr/:n/:r, as one Fastify plugin that owns its route, its cache of
// answers and its error shape: the same GraphQL operation, run in-process, written as exact JSON.

import type { ApolloServer } from '@apollo/server';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { byteCache } from '../../../lib/cache';
import { ERRORS, errorCodeOf, RETRY_AFTER_SECONDS, type ErrorCode } from '../../../lib/errors';
import { REQUEST_ID_HEADER } from '../../../lib/request';
import { IMMUTABLE } from '../cache-policy';
import type { GatewayContext } from '../context';
import { parseArgument } from './arguments';

/** Where the route lives: requests under it that the router refuses get this route's error shape too. */
export const NCR_PREFIX = '/api/ncr/';

const NCR_QUERY = 'query Ncr($n: Int!, $r: Int!) { ncr(n: $n, r: $r) }';

export interface NcrRouteOptions {
  apollo: ApolloServer<GatewayContext>;
  /** Bytes of successful answers kept (they never change); 0 turns the cache off. */
  cacheBytes: number;
  /** A request's context, made only when the operation must run (not for bad input or a cached answer). */
  context(request: FastifyRequest, reply: FastifyReply): GatewayContext;
  /** Where rest_cache_lookups_total is registered. Default: none kept. */
  registry?: Registry;
}

/** GET /api/ncr/:n/:r. */
export const ncrRoute: FastifyPluginAsync<NcrRouteOptions> = async (app, options) => {
  const cache = byteCache<string, string>(options.cacheBytes, (body) => body.length);
  const lookups = options.registry
    ? new Counter({
        name: 'rest_cache_lookups_total',
        help: 'Lookups in the cache of REST answers, by result (hit or miss).',
        labelNames: ['result'],
        registers: [options.registry],
      })
    : undefined;

  app.get<{ Params: { n: string; r: string } }>(`${NCR_PREFIX}:n/:r`, async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    const n = parseArgument('n', request.params.n);
    const r = parseArgument('r', request.params.r);
    if (typeof n === 'string' || typeof r === 'string') {
      const input = [typeof n === 'number' ? n : request.params.n, typeof r === 'number' ? r : request.params.r];
      return sendFailure(reply, input, 'BAD_USER_INPUT', typeof n === 'string' ? n : (r as string));
    }
    const key = `${n}/${r}`;
    const cached = cache.get(key);
    lookups?.inc({ result: cached === undefined ? 'miss' : 'hit' });
    if (cached !== undefined) return sendSuccess(reply, cached);

    const response = await options.apollo.executeOperation(
      { query: NCR_QUERY, variables: { n, r } },
      { contextValue: options.context(request, reply) },
    );
    if (response.body.kind !== 'single') return sendFailure(reply, [n, r], 'INTERNAL_SERVER_ERROR');
    const { data, errors } = response.body.singleResult;
    const error = errors?.[0];
    if (error) return sendFailure(reply, [n, r], errorCodeOf(error.extensions?.code), error.message);
    const ncr = (data as { ncr?: unknown } | null | undefined)?.ncr;
    if (typeof ncr !== 'string' || !/^\d+$/.test(ncr)) return sendFailure(reply, [n, r], 'INTERNAL_SERVER_ERROR');
    // The exact integer as a JSON number literal of any length; JSON.stringify cannot write one.
    const body = `{"input":[${n},${r}],"ncr":${ncr},"msg":"Success"}`;
    cache.set(key, body);
    return sendSuccess(reply, body);
  });
};

function sendSuccess(reply: FastifyReply, body: string): FastifyReply {
  return reply.code(200).type('application/json').header('cache-control', IMMUTABLE).send(body);
}

/** A failed answer: the code's status, `Retry-After` when retrying can help, and the tutorial's keys plus the code. */
export function sendFailure(reply: FastifyReply, input: unknown[], code: ErrorCode, msg: string = ERRORS[code].message): FastifyReply {
  const spec = ERRORS[code];
  if (spec.retryable) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return reply
    .code(spec.status)
    .type('application/json')
    .header('cache-control', 'no-store')
    .send(JSON.stringify({ input, ncr: null, msg, code }));
}
