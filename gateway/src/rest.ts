// The REST route of the tutorial, GET /api/ncr/:n/:r: the same GraphQL operation, run in-process, written as exact JSON.

import type { ApolloServer } from '@apollo/server';
import { ErrorCode, HTTP_STATUS, isErrorCode } from '../../lib/errors';
import { ByteLruCache } from '../../lib/byte-lru-cache';
import type { GatewayContext } from './context';

const NCR_QUERY = 'query Ncr($n: Int!, $r: Int!) { ncr(n: $n, r: $r) }';
const INT32_MAX = 2 ** 31 - 1;
/** A decimal integer, or an integral decimal such as 10.0 (the tutorial parsed floats). */
const DECIMAL = /^-?\d+(\.\d+)?$/;

export interface RestReply {
  status: number;
  body: string;
  /** Whether the reply may be cached forever (a success: the answer never changes). */
  immutable: boolean;
}

export interface NcrRoute {
  /** `context` is called only when the operation must run (not for bad input or a cached answer). */
  handle(rawN: string, rawR: string, context: () => GatewayContext): Promise<RestReply>;
}

/** The REST route; successful bodies are kept in a cache bounded by `cacheBytes` (0 turns it off). */
export function createNcrRoute(apollo: ApolloServer<GatewayContext>, cacheBytes: number, onCacheLookup?: (hit: boolean) => void): NcrRoute {
  const cache = new ByteLruCache<string, string>(cacheBytes);
  return {
    async handle(rawN, rawR, context) {
      const n = parseArgument('n', rawN);
      const r = parseArgument('r', rawR);
      if (typeof n === 'string' || typeof r === 'string') {
        const input = [typeof n === 'number' ? n : rawN, typeof r === 'number' ? r : rawR];
        return failure(input, ErrorCode.BAD_USER_INPUT, typeof n === 'string' ? n : (r as string));
      }
      const key = `${n}/${r}`;
      const cached = cache.get(key);
      onCacheLookup?.(cached !== undefined);
      if (cached) return { status: 200, body: cached, immutable: true };

      const response = await apollo.executeOperation({ query: NCR_QUERY, variables: { n, r } }, { contextValue: context() });
      if (response.body.kind !== 'single') return failure([n, r], ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
      const { data, errors } = response.body.singleResult;
      const error = errors?.[0];
      if (error) {
        const code = error.extensions?.code;
        return failure([n, r], isErrorCode(code) ? code : ErrorCode.INTERNAL_SERVER_ERROR, error.message);
      }
      const ncr = (data as { ncr?: unknown } | null | undefined)?.ncr;
      if (typeof ncr !== 'string' || !/^\d+$/.test(ncr)) return failure([n, r], ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
      // The exact integer as a JSON number literal of any length; JSON.stringify cannot write one.
      const body = `{"input":[${n},${r}],"ncr":${ncr},"msg":"Success"}`;
      cache.set(key, body, body.length);
      return { status: 200, body, immutable: true };
    },
  };
}

/** The integer a path segment holds, or a message saying what is wrong with it. */
export function parseArgument(name: string, raw: string): number | string {
  const shown = raw.length > 32 ? `${raw.slice(0, 29)}...` : raw;
  // "+5", "1e3", "0x10", " 5": numbers perhaps, but not written as this route takes them.
  if (!DECIMAL.test(raw)) return `${name} must be a non-negative integer in decimal digits (got ${name} = ${JSON.stringify(shown)})`;
  const [whole, fraction = ''] = raw.split('.');
  if (/[1-9]/.test(fraction)) return `${name} must be an integer (got ${name} = ${shown})`;
  const digits = whole!.replace(/^-?0+(?=\d)/, (m) => (m.startsWith('-') ? '-' : ''));
  if (digits.startsWith('-') && digits !== '-0') return `${name} must be a non-negative integer (got ${name} = ${shown})`;
  const value = digits.length > 10 ? Infinity : Math.abs(Number(digits));
  if (value > INT32_MAX) return `${name} is too large (got ${name} = ${shown})`;
  return value;
}

function failure(input: unknown[], code: ErrorCode, msg: string): RestReply {
  return { status: HTTP_STATUS[code], body: restFailure(input, code, msg), immutable: false };
}

/** The body of a failed REST answer: the tutorial's keys, plus the code. */
export function restFailure(input: unknown[], code: ErrorCode, msg: string): string {
  return JSON.stringify({ input, ncr: null, msg, code });
}
