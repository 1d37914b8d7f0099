// How the gateway calls the math subgraph. SubgraphDataSource: straight from Apollo's request to undici's
// keep-alive pool and back, with the request's id, remaining budget and trace context as headers.
// BudgetedDataSource: Apollo's own RemoteGraphQLDataSource with the same headers, kept as the baseline that
// bench/tuning.ts measures it against.

import { RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { context as otelContext, propagation, SpanKind, type Attributes } from '@opentelemetry/api';
import { GraphQLError } from 'graphql';
import { EventEmitter } from 'node:events';
import { STATUS_CODES } from 'node:http';
import { Agent, request as undiciRequest } from 'undici';
import { apiError, ErrorCode } from '../../lib/errors';
import { REQUEST_ID_HEADER, REQUEST_TIMEOUT_HEADER } from '../../lib/request-budget';
import { headerSetter, inSpan, isRecording } from '../../lib/telemetry';
import type { GatewayContext } from './context';

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

export interface SubgraphDataSourceOptions {
  url: string;
  /** Connections kept to the subgraph. Default: 64. */
  connections?: number;
  /** How long an idle connection is kept. Default: 30 s. */
  keepAliveMs?: number;
  /** Longest wait for the subgraph's response headers and body. Default: 60 s (the subgraph enforces the request budget itself). */
  timeoutMs?: number;
}

/** The headers every call carries besides the trace context: the request's id and the time its budget has left. */
function budgetHeaders(context: Partial<GatewayContext> | undefined, headers: Record<string, string>): void {
  if (!context?.lifetime) return;
  if (context.requestId) headers[REQUEST_ID_HEADER] = context.requestId;
  const remaining = Math.floor(context.lifetime.deadline - Date.now());
  if (remaining <= 0) throw apiError(ErrorCode.DEADLINE_EXCEEDED, "the request's time budget ran out");
  headers[REQUEST_TIMEOUT_HEADER] = String(remaining);
}

/**
 * A GraphQLDataSource over undici's request API. RemoteGraphQLDataSource goes through node-fetch's Request and
 * Headers and a Fetcher's Response on every call, which cost more CPU than the call itself on this one-hop
 * mesh; this does what it does for a subgraph that speaks JSON over POST, without them:
 * - a non-2xx answer is an error naming the status (as RemoteGraphQLDataSource's);
 * - the call is cancelled when the client goes away;
 * - with tracing on, a CLIENT span under Apollo's fetch span; the traceparent header travels either way.
 * A subgraph's cache-control header is not read: this API's answers are immutable and nothing caches them by it.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly agent: Agent;
  private readonly attributes: Attributes;

  constructor(private readonly options: SubgraphDataSourceOptions) {
    const timeout = options.timeoutMs ?? 60_000;
    this.agent = new Agent({
      connections: options.connections ?? 64,
      keepAliveTimeout: options.keepAliveMs ?? 30_000,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const target = new URL(options.url);
    this.attributes = {
      'http.request.method': 'POST',
      'server.address': target.hostname,
      'server.port': Number(target.port) || 80,
      'url.full': options.url,
    };
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    if (!request.query) throw new Error('Missing query');
    // An incoming operation's context is ours; a health check's or schema load's is not.
    const context = 'incomingRequestContext' in options ? (options.context as Partial<GatewayContext>) : undefined;
    // No accept header: Apollo Server then answers application/json without running content negotiation.
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    budgetHeaders(context, headers);
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
      const stopListening = context?.lifetime?.onEnd(() => abort.emit('abort'));
      try {
        const response = await undiciRequest(this.options.url, { dispatcher: this.agent, method: 'POST', headers, body, signal: abort });
        span.setAttribute('http.response.status_code', response.statusCode);
        const text = await response.body.text();
        if (response.statusCode < 200 || response.statusCode > 299) throw errorFromResponse(this.options.url, response.statusCode, text);
        return parseResponse(text);
      } catch (error) {
        // Cancelled because the client went away: nobody reads this answer.
        if (error instanceof Error && error.name === 'AbortError') throw apiError(ErrorCode.DEADLINE_EXCEEDED, 'the request was cancelled');
        throw error;
      } finally {
        stopListening?.();
      }
    });
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** The subgraph's answer: a JSON object, or an error quoting the start of what came instead. */
function parseResponse(text: string): GatewayGraphQLResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // reported below
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`Expected JSON response body, but received: ${text.slice(0, 200)}`);
  }
  return parsed as GatewayGraphQLResponse;
}

/** What RemoteGraphQLDataSource makes of a non-2xx answer: an error naming the status, with the body. */
function errorFromResponse(url: string, status: number, text: string): GraphQLError {
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  const statusText = STATUS_CODES[status] ?? '';
  const code = status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : undefined;
  return new GraphQLError(`${status}: ${statusText}`, {
    extensions: { ...(code && { code }), response: { url, status, statusText, body } },
  });
}

/**
 * Apollo's RemoteGraphQLDataSource (its own fetch) with the same headers: the baseline bench/tuning.ts measures.
 * Its calls are not cancelled when the client leaves.
 */
export class BudgetedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers: Record<string, string> = {};
    budgetHeaders(context as Partial<GatewayContext>, headers);
    for (const [name, value] of Object.entries(headers)) request.http?.headers.set(name, value);
  }
}
