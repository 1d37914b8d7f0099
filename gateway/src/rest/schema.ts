// The REST route's schema: what Fastify checks the query against, and what @fastify/swagger turns into the OpenAPI 3.1
// description served at /api/openapi.json. Answers are written by hand (an integer literal of any length cannot be
// written by JSON.stringify), so the response schemas describe them without serializing them.

import { ERRORS, type ErrorCode } from '../../../lib/errors';

/** The media type of the lossless form (OData's parameter for exactly this: numbers as strings, for IEEE 754 clients). */
export const LOSSLESS_MEDIA_TYPE = 'application/json;IEEE754Compatible=true';

const input = {
  type: 'array',
  description: 'n and r as the route received them: integers, or the path segments as written when they were not.',
  items: { type: ['integer', 'string'] },
  minItems: 0,
  maxItems: 2,
} as const;

const success = (ncr: object) =>
  ({
    type: 'object',
    required: ['input', 'ncr', 'msg'],
    additionalProperties: false,
    properties: { input: { ...input, minItems: 2 }, ncr, msg: { const: 'Success' } },
  }) as const;

/** The default form: `ncr` as a JSON number literal with every digit. */
export const NUMBER_FORM = success({
  type: 'integer',
  minimum: 1,
  description:
    'n choose r, exact: a JSON number literal of any length (301,027 digits for n = 10^6, r = 5·10^5). Read exactly by ' +
    "Python's json (past 4,300 digits after sys.set_int_max_str_digits(0)), Go's json.Number and jq 1.7; rounded by " +
    "JavaScript's JSON.parse past 2^53 (about 16 digits) and by jq 1.6. Such clients ask for the lossless form.",
});

/** The lossless form: `ncr` as a string of decimal digits. */
export const STRING_FORM = success({
  type: 'string',
  pattern: '^[1-9][0-9]*$',
  description: 'n choose r, exact, as a string of decimal digits: the form for clients whose JSON numbers are doubles.',
});

const failure = (code: ErrorCode) =>
  ({
    description: `${code}: ${ERRORS[code].message}`,
    content: {
      'application/json': {
        schema: {
          type: 'object',
          required: ['input', 'ncr', 'msg', 'code'],
          additionalProperties: false,
          properties: {
            input,
            ncr: { type: 'null' },
            msg: { type: 'string', description: 'What is wrong: what was expected, and what arrived.' },
            code: { const: code },
          },
        },
      },
    },
  }) as const;

/** The route's schema, for validation (the querystring) and for the OpenAPI description. */
export const NCR_ROUTE_SCHEMA = {
  tags: ['ncr'],
  operationId: 'ncr',
  summary: 'n choose r, exact',
  description:
    "The tutorial's route and JSON keys, exact for any size. Successful answers never change: they are cacheable " +
    'for a year (`Cache-Control: immutable`). The lossless form puts `ncr` in a string: ask for it with `?ncr=string`, ' +
    `or with \`Accept: ${LOSSLESS_MEDIA_TYPE}\` (OData's media-type parameter for numbers as strings). Failures carry a ` +
    'code that says whose fault it is; retryable ones (429, 503, 504) carry `Retry-After`.',
  params: {
    type: 'object',
    required: ['n', 'r'],
    properties: {
      n: { type: 'string', description: 'A non-negative decimal integer up to MAX_N (an integral decimal such as 10.0 is 10).' },
      r: { type: 'string', description: 'A non-negative decimal integer, at most n.' },
    },
  },
  querystring: {
    type: 'object',
    properties: {
      ncr: {
        type: 'string',
        enum: ['number', 'string'],
        description:
          '`string`: the lossless form (ncr as a string of digits); `number`: a JSON number literal. Without it, the form ' +
          'Accept asks for; by default, a number.',
      },
    },
  },
  response: {
    200: {
      description: 'n choose r.',
      content: { 'application/json': { schema: NUMBER_FORM }, [LOSSLESS_MEDIA_TYPE]: { schema: STRING_FORM } },
    },
    400: failure('BAD_USER_INPUT'),
    429: failure('RESOURCE_EXHAUSTED'),
    500: failure('INTERNAL_SERVER_ERROR'),
    503: {
      description: 'FACTORIAL_UNAVAILABLE or SUBGRAPH_UNAVAILABLE: a backend cannot be reached; retry after Retry-After.',
      content: {
        'application/json': {
          schema: {
            oneOf: [
              failure('FACTORIAL_UNAVAILABLE').content['application/json'].schema,
              failure('SUBGRAPH_UNAVAILABLE').content['application/json'].schema,
            ],
          },
        },
      },
    },
    504: failure('DEADLINE_EXCEEDED'),
  },
} as const;
