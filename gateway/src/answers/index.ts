// The cache of answers: one store of whole answers for GraphQL and REST, looked up in the route and in Apollo's
// pipeline, identical requests in flight computed once, and the one reader of Cache-Control.

export { Answers, AnswerTicket, CACHE_STATUS_HEADER, CACHE_TIER_HEADER, type AnswersOptions, type Tier } from './answers';
export { answersPlugin, type AnswersContext } from './plugin';
export { readCacheControl, sharedMaxAge, type CacheControl } from './cache-control';
export { canonicalJson, type RestAnswer } from './entries';
