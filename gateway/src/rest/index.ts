// The REST route of the tutorial, GET /api/ncr/:n/:r, as one Fastify plugin that owns its route, its schema (and so
// its OpenAPI description) and its error shape, and keeps its answers in the gateway's cache of answers: the same
// GraphQL operation, run in-process, written as exact JSON, with ncr as a number literal (the tutorial's form) or,
// asked for, a string (the lossless form).

import type { ApolloServer } from '@apollo/server';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, errorCodeOf, RETRY_AFTER_SECONDS, type ErrorCode } from '../../../lib/errors';
import { REQUEST_ID_HEADER } from '../../../lib/request';
import { ratioDigits } from '../../../lib/math';
import type { ClientIdentity } from '../clients';
import type { GatewayContext } from '../context';
import type { Gate } from '../quotas';
import { CACHE_STATUS_HEADER, CACHE_TIER_HEADER, type Answers } from '../answers';
import { parseArgument } from './arguments';
import { LOSSLESS_MEDIA_TYPE, NCR_ROUTE_SCHEMA } from './schema';

export { LOSSLESS_MEDIA_TYPE } from './schema';

/** Where the route lives: requests under it that the router refuses get this route's error shape too. */
export const NCR_PREFIX = '/api/ncr/';

const NCR_QUERY = 'query Ncr($n: Int!, $r: Int!) { ncr(n: $n, r: $r) }';

export interface NcrRouteOptions {
  apollo: ApolloServer<GatewayContext>;
  /** Where answers are kept (as long as their cache policy says). */
  answers: Answers;
  /** Who is asking, and what its work costs against its quota. */
  gate: Gate;
  /** A request's context, made only when the operation must run (not for bad input or a cached answer); it has no GraphQL cache handle. */
  context(request: FastifyRequest, reply: FastifyReply, client: ClientIdentity): GatewayContext;
  /** Told of every refusal made before the operation runs (bad path segments), to count and log it. */
  refused(request: FastifyRequest, code: ErrorCode, message: string): void;
}

/** Whether a request asks for the lossless form: `?ncr=string`, or an Accept naming the IEEE754Compatible parameter. */
function wantsString(request: FastifyRequest<{ Querystring: { ncr?: string } }>): boolean {
  if (request.query.ncr === 'string') return true;
  if (request.query.ncr === 'number') return false;
  const accept = request.headers.accept;
  return accept !== undefined && /(^|[,;])\s*ieee754compatible\s*=\s*"?true"?\s*(;|,|$)/i.test(accept);
}

/** GET /api/ncr/:n/:r. */
export const ncrRoute: FastifyPluginAsync<NcrRouteOptions> = async (app, options) => {
  const { answers } = options;
  app.get<{ Params: { n: string; r: string }; Querystring: { ncr?: string } }>(
    `${NCR_PREFIX}:n/:r`,
    { schema: NCR_ROUTE_SCHEMA, attachValidation: true },
    async (request, reply) => {
      void reply.header(REQUEST_ID_HEADER, request.id);
      if (request.validationError) {
        const message = `ncr must be number or string (got ncr = ${JSON.stringify(String((request.query as Record<string, unknown>).ncr)).slice(0, 40)})`;
        options.refused(request, 'BAD_USER_INPUT', message);
        return sendFailure(reply, [request.params.n, request.params.r], 'BAD_USER_INPUT', message);
      }
      const n = parseArgument('n', request.params.n);
      const r = parseArgument('r', request.params.r);
      if (typeof n === 'string' || typeof r === 'string') {
        const input = [typeof n === 'number' ? n : request.params.n, typeof r === 'number' ? r : request.params.r];
        const message = typeof n === 'string' ? n : (r as string);
        options.refused(request, 'BAD_USER_INPUT', message);
        return sendFailure(reply, input, 'BAD_USER_INPUT', message);
      }
      const lossless = wantsString(request);
      // Who is asking, and its unit for the request, before the cache or anything else.
      const admission = options.gate.admitAtOnce(request) ?? (await options.gate.admit(request, reply));
      void reply.headers(admission.headers);
      if (!admission.admitted) {
        options.refused(request, admission.code, admission.message);
        return sendFailure(reply, [n, r], admission.code, admission.message, admission.headers);
      }
      const { client } = admission;
      let context: GatewayContext | undefined;
      const contextOf = () => (context ??= options.context(request, reply, client));
      // Kept in their default form; the lossless form is the same with two quotes added. An identical request being
      // computed is waited for.
      const { answer: cached, done, tier } = await answers.restAnswer(n, r, () => contextOf().deadline);
      if (cached) {
        void reply.header('age', String(Math.floor((Date.now() - cached.storedAt) / 1000)));
        if (tier) void reply.header(CACHE_TIER_HEADER, tier);
        return sendSuccess(reply, n, r, cached.digits, lossless, cached.cacheControl, 'hit');
      }
      try {
        // To be computed: its digits' work too (beyond the request's unit).
        const charged = await options.gate.chargeDigits(client, r <= n ? ratioDigits([n], [r, n - r]) : 0, reply);
        void reply.headers(charged.headers);
        if (!charged.admitted) {
          options.refused(request, charged.code, charged.message);
          return sendFailure(reply, [n, r], charged.code, charged.message, charged.headers);
        }
        const response = await options.apollo.executeOperation({ query: NCR_QUERY, variables: { n, r } }, { contextValue: contextOf() });
        if (response.body.kind !== 'single') return sendFailure(reply, [n, r], 'INTERNAL_SERVER_ERROR');
        const { data, errors } = response.body.singleResult;
        const error = errors?.[0];
        if (error) return sendFailure(reply, [n, r], errorCodeOf(error.extensions?.code), error.message);
        const ncr = (data as { ncr?: unknown } | null | undefined)?.ncr;
        if (typeof ncr !== 'string' || !/^\d+$/.test(ncr)) return sendFailure(reply, [n, r], 'INTERNAL_SERVER_ERROR');
        // Apollo's cache policy for the operation (the subgraph's hints, merged), as a GraphQL answer would carry it.
        const cacheControl = response.http.headers.get('cache-control') ?? 'no-store';
        answers.keepRestAnswer(n, r, ncr, cacheControl);
        return sendSuccess(reply, n, r, ncr, lossless, cacheControl, answers.enabled ? 'miss' : undefined);
      } finally {
        done?.();
      }
    },
  );
};

/**
 * A successful answer: the exact integer as a JSON number literal of any length (JSON.stringify cannot write one), or
 * as a string in the lossless form. Cacheable as its policy says (immutable), varying with Accept (which may ask for
 * the lossless form).
 */
function sendSuccess(
  reply: FastifyReply,
  n: number,
  r: number,
  digits: string,
  lossless: boolean,
  cacheControl: string,
  cacheStatus: 'hit' | 'miss' | undefined,
): FastifyReply {
  const ncr = lossless ? `"${digits}"` : digits;
  if (cacheStatus) void reply.header(CACHE_STATUS_HEADER, cacheStatus);
  return reply
    .code(200)
    .header('content-type', lossless ? `${LOSSLESS_MEDIA_TYPE};charset=utf-8` : 'application/json; charset=utf-8')
    .header('cache-control', cacheControl)
    .header('vary', 'accept')
    .send(`{"input":[${n},${r}],"ncr":${ncr},"msg":"Success"}`);
}

/** A failed answer: the code's status, `Retry-After` when retrying can help, and the tutorial's keys plus the code. */
export function sendFailure(
  reply: FastifyReply,
  input: unknown[],
  code: ErrorCode,
  msg: string = ERRORS[code].message,
  headers: Record<string, string> = {},
): FastifyReply {
  const spec = ERRORS[code];
  if (spec.retryable) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  void reply.headers(headers);
  return reply
    .code(spec.status)
    .type('application/json')
    .header('cache-control', 'no-store')
    .send(JSON.stringify({ input, ncr: null, msg, code }));
}
