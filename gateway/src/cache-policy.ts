// How the gateway words an answer's cache policy. The policy itself is Apollo's: each subgraph computes it from its
// fields' @cacheControl hints and sends it as Cache-Control, the gateway merges the subgraphs' headers (data-source.ts)
// and Apollo's cache-control plugin writes the result, or no-store for errors, introspection and anything that fetched
// nothing. This adapter only adds what Apollo's wording lacks: `immutable` for answers good for a year (every answer
// of this API is a pure function of its arguments), and Vary: Accept (the content type follows Accept).

import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { sharedMaxAge } from './answers';

/** The hint every field of the subgraphs declares: a year, the longest max-age HTTP caches honour. */
const ONE_YEAR_SECONDS = 31_536_000;

/** The Cache-Control of an answer that never changes (REST's and GraphQL's alike). */
const IMMUTABLE = `public, max-age=${ONE_YEAR_SECONDS}, immutable`;

/** The Cache-Control to send for Apollo's: `immutable` added to a public year, anything else as Apollo wrote it. */
export function cacheControlFor(apolloCacheControl: string | undefined): string | undefined {
  if (sharedMaxAge(apolloCacheControl) >= ONE_YEAR_SECONDS) return IMMUTABLE;
  return apolloCacheControl;
}

/** Rewords the Cache-Control Apollo's cache-control plugin set (installed before this one) and adds Vary: Accept. */
export function cachePolicyHeaders<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  // One listener for every request: it keeps no state of its own.
  const listener: GraphQLRequestListener<TContext> = {
    async willSendResponse({ response }) {
      const apollo = response.http.headers.get('cache-control');
      const cacheControl = cacheControlFor(apollo);
      if (cacheControl === undefined || cacheControl === 'no-store') return;
      if (cacheControl !== apollo) response.http.headers.set('cache-control', cacheControl);
      const vary = response.http.headers.get('vary') ?? '';
      if (!/(^|,)\s*accept\s*(,|$)/i.test(vary)) response.http.headers.set('vary', vary ? `${vary}, accept` : 'accept');
    },
  };
  return { requestDidStart: async () => listener };
}
