// How the gateway calls a subgraph. SubgraphDataSource: straight from Apollo's request to undici's keep-alive pool
// and back, with the request's id, deadline and trace context as headers, cut off at the deadline, and every way a
// subgraph can fail turned into a coded, retryable error.

import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { context as otelContext, propagation, SpanKind, type Attributes } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import { GraphQLError } from 'graphql';
import { EventEmitter } from 'node:events';
import { Agent, errors as undiciErrors, request as undiciRequest } from 'undici';
import { apiError } from '../../lib/graphql';
import { headerSetter, inSpan, isRecording } from '../../lib/observability';
import { DEADLINE_HEADER, REQUEST_ID_HEADER, type Deadline } from '../../lib/request';
import { readCacheControl } from './answers';
import type { GatewayContext } from './context';

export type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

export interface SubgraphDataSourceOptions {
  /** The subgraph's name, for errors and spans. Default: 'the subgraph'. */
  name?: string;
  url: string;
  /** Connections kept to the subgraph. Default: 64. */
  connections?: number;
  /** How long an idle connection is kept. Default: 30 s. */
  keepAliveMs?: number;
  /** Longest wait for a call without a deadline of its own (a health check, a schema load). Default: 10 s. */
  timeoutMs?: number;
}

/** The headers every call carries besides the trace context: the request's id and the milliseconds before its deadline. */
export function deadlineHeaders(context: Partial<GatewayContext> | undefined, headers: Record<string, string>): void {
  if (!context?.deadline) return;
  if (context.requestId) headers[REQUEST_ID_HEADER] = context.requestId;
  const remaining = Math.floor(context.deadline.remaining());
  if (remaining <= 0) throw apiError('DEADLINE_EXCEEDED');
  headers[DEADLINE_HEADER] = String(remaining);
}

/** undici's errors that mean the subgraph could not be reached or dropped the connection. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * A GraphQLDataSource over undici's request API. RemoteGraphQLDataSource goes through node-fetch's Request and
 * Headers and a Fetcher's Response on every call, which cost more CPU than the call itself on this one-hop
 * mesh; this does what it does for a subgraph that speaks JSON over POST, without them:
 * - the call is cut off when the request's deadline passes (DEADLINE_EXCEEDED) or its client goes away;
 * - a subgraph that cannot be reached, drops the connection, answers with a server error or with anything but a
 *   GraphQL response is SUBGRAPH_UNAVAILABLE (retryable): an outage is never reported as a bug;
 * - a GraphQL response is returned as it is, whatever its status (a subgraph refuses a document with 400 and
 *   its errors, whose codes then reach the client);
 * - with tracing on, a CLIENT span under Apollo's fetch span; the traceparent header travels either way;
 * - the subgraph's Cache-Control restricts the operation's cache policy, as RemoteGraphQLDataSource does with
 *   honorSubgraphCacheControlHeader (its default): no max-age, or none at all, makes the whole answer uncacheable.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly agent: Agent;
  private readonly attributes: Attributes;
  private readonly name: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: SubgraphDataSourceOptions) {
    this.name = options.name ? `the ${options.name} subgraph` : 'the subgraph';
    this.timeoutMs = options.timeoutMs ?? 10_000;
    // No headers or body timeout of undici's own: each call is cut off at its deadline (or timeoutMs) below.
    this.agent = new Agent({
      connections: options.connections ?? 64,
      keepAliveTimeout: options.keepAliveMs ?? 30_000,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    const target = new URL(options.url);
    this.attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: 'POST',
      [ATTR_SERVER_ADDRESS]: target.hostname,
      [ATTR_SERVER_PORT]: Number(target.port) || 80,
      [ATTR_URL_FULL]: options.url,
    };
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    return (await this.fetch(options)).response;
  }

  /** As process, with the subgraph's Cache-Control for this fetch alone (the entity cache keeps by it). */
  async fetch(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<{ response: GatewayGraphQLResponse; cacheControl?: string }> {
    const { request } = options;
    if (!request.query) throw new Error('Missing query');
    // An incoming operation's context is ours; a health check's or schema load's is not.
    const context = 'incomingRequestContext' in options ? (options.context as Partial<GatewayContext>) : undefined;
    // No accept header: Apollo Server then answers application/json without running content negotiation.
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (context?.replyBudget?.refusal) throw context.replyBudget.refusal;
    deadlineHeaders(context, headers);
    const body = JSON.stringify({
      query: request.query,
      variables: request.variables,
      operationName: request.operationName,
      extensions: request.extensions,
    });
    const tracing = isRecording();
    const parent = tracing ? otelContext.active() : context?.trace?.context;
    return inSpan('POST', { kind: SpanKind.CLIENT, parent, attributes: tracing ? this.attributes : undefined }, async (span, active) => {
      propagation.inject(active, headers, headerSetter);
      // An EventEmitter, not an AbortSignal: undici takes either, and an emitter costs far less to make.
      const abort = new EventEmitter();
      let timedOut = false;
      const cutOff = (): void => {
        timedOut = true;
        abort.emit('abort');
      };
      const deadline = context?.deadline;
      // The request's deadline fires at its time, or early when the client leaves; a call without one gets timeoutMs.
      const stopListening = deadline ? deadline.onExpire(cutOff) : clearTimer(setTimeout(cutOff, this.timeoutMs));
      try {
        const response = await undiciRequest(this.options.url, { dispatcher: this.agent, method: 'POST', headers, body, signal: abort });
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
        const text = await readWithin(response.body, context?.replyBudget, deadline);
        const answer = this.parseResponse(response.statusCode, text);
        const cacheControl = response.headers['cache-control'];
        if ('incomingRequestContext' in options) restrictCachePolicy(options.incomingRequestContext.overallCachePolicy, cacheControl);
        return { response: answer, cacheControl: Array.isArray(cacheControl) ? cacheControl.join(', ') : cacheControl };
      } catch (error) {
        if (error instanceof GraphQLError) throw error;
        // Cut off because another fetch of the operation went over its answer's size: that refusal, not a deadline.
        if (context?.replyBudget?.refusal) throw context.replyBudget.refusal;
        // Cut off: the deadline passed, or it came early because the client went away (nobody reads this answer then).
        if (timedOut || (error instanceof Error && error.name === 'AbortError')) {
          throw deadline && Date.now() < deadline.at
            ? apiError('DEADLINE_EXCEEDED', 'the request was cancelled')
            : apiError('DEADLINE_EXCEEDED');
        }
        throw this.unavailable(describeFailure(error));
      } finally {
        stopListening();
      }
    });
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  /** The subgraph's answer when it is a GraphQL response (a JSON object with data or errors), else SUBGRAPH_UNAVAILABLE. */
  private parseResponse(status: number, text: string): GatewayGraphQLResponse {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // reported below
    }
    const isResponse = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && ('data' in parsed || 'errors' in parsed);
    if (status >= 500) throw this.unavailable(`answered HTTP ${status}`);
    if (!isResponse) throw this.unavailable(`answered HTTP ${status} with something that is not a GraphQL response`);
    return parsed as GatewayGraphQLResponse;
  }

  private unavailable(why: string): GraphQLError {
    return apiError('SUBGRAPH_UNAVAILABLE', `${this.name} cannot be reached or failed (${why}); retry later`);
  }
}

/**
 * A subgraph's answer as text, counted against the bytes the operation's answers may still take: past them, the read
 * stops and the operation is refused (the client asked for more than one answer may hold), whatever the plan split it
 * into.
 */
async function readWithin(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  budget: GatewayContext['replyBudget'],
  deadline: Deadline | undefined,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (budget && size > budget.remaining) {
      body.destroy();
      refuseOverBudget(budget, deadline);
    }
    chunks.push(chunk);
  }
  if (budget) budget.remaining -= size;
  return Buffer.concat(chunks, size).toString('utf8');
}

/**
 * Counts `bytes` of an answer that did not come from a subgraph (the entity cache's) against the operation's budget;
 * past it, the operation is refused as readWithin refuses it.
 */
export function spendReplyBudget(budget: GatewayContext['replyBudget'], bytes: number, deadline: Deadline | undefined): void {
  if (!budget) return;
  if (bytes > budget.remaining) refuseOverBudget(budget, deadline);
  budget.remaining -= bytes;
}

function refuseOverBudget(budget: NonNullable<GatewayContext['replyBudget']>, deadline: Deadline | undefined): never {
  budget.refusal ??= apiError(
    'BAD_USER_INPUT',
    `the operation's answer would take more than ${budget.max} bytes (MAX_RESPONSE_BYTES); ask for less in one operation`,
  );
  // The operation is refused: its other fetches are cut off now, not left to run for nothing.
  deadline?.expire();
  throw budget.refusal;
}

/**
 * Restricts an operation's cache policy by a subgraph's Cache-Control, as RemoteGraphQLDataSource does: its max-age
 * (0 when it has none: no-store, or no header), and its scope when it says public or private.
 */
export function restrictCachePolicy(
  policy: { restrict(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }): void } | undefined,
  header: string | string[] | undefined,
): void {
  if (!policy) return;
  const { maxAge, scope } = readCacheControl(header);
  policy.restrict(scope ? { maxAge: maxAge ?? 0, scope } : { maxAge: maxAge ?? 0 });
}

/** What went wrong with a call that got no answer, in a few words (never a stack). */
function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && UNREACHABLE.has(code)) return code;
  if (error instanceof undiciErrors.SocketError) return 'the connection closed';
  if (error instanceof undiciErrors.UndiciError) return error.code;
  return error instanceof Error ? error.name : 'no answer';
}

function clearTimer(timer: NodeJS.Timeout): () => void {
  return () => clearTimeout(timer);
}
