// One recorder of the refusals clients receive at the gateway, whoever refused them: the REST route's checks, the
// HTTP layer (unknown paths, malformed bodies), Apollo's pipeline, or Apollo Server before its pipeline (CSRF
// prevention, batched requests). Each request is counted once: its refusal is recorded where it is made, and what
// reaches the end with no record (Apollo's refusals before its plugins) is read from the answer's errors.

import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { ErrorCode } from '../../lib/errors';
import { recordRefusal, type RequestTrace } from '../../lib/observability';

export class Refusals {
  /** Requests whose errors are counted (by this recorder, or by the operations plugin). */
  private readonly counted = new WeakSet<FastifyRequest>();
  /** Each GraphQL context's request, so that Apollo's pipeline can mark it. */
  private readonly requests = new WeakMap<object, FastifyRequest>();

  constructor(
    private readonly registry: Registry | undefined,
    private readonly traceOf: (request: FastifyRequest) => RequestTrace,
  ) {}

  /** Counts and logs a refusal made before any operation ran. */
  record(request: FastifyRequest, code: ErrorCode, message: string): void {
    this.counted.add(request);
    recordRefusal(this.registry, this.traceOf(request).logger, code, message);
  }

  /** Ties a GraphQL context to its request, so that reaching Apollo's pipeline marks the request counted. */
  attach(context: object, request: FastifyRequest): void {
    this.requests.set(context, request);
  }

  /**
   * The plugin that marks a request counted once Apollo's pipeline runs for it: the operations plugin counts its
   * errors from there.
   */
  plugin<TContext extends object>(): ApolloServerPlugin<TContext> {
    return {
      requestDidStart: async ({ contextValue }) => {
        const request = this.requests.get(contextValue);
        if (request) this.counted.add(request);
      },
    };
  }

  /** Reads the errors of a /graphql answer that nothing counted (Apollo's refusals before its plugins) and counts them. */
  watch(app: FastifyInstance): void {
    app.addHook('onSend', (request, reply, payload, done) => {
      if (reply.statusCode >= 400 && request.url.startsWith('/graphql') && !this.counted.has(request)) this.countAnswer(request, payload);
      done(null, payload);
    });
  }

  private countAnswer(request: FastifyRequest, payload: unknown): void {
    if (typeof payload !== 'string') return;
    let body: { errors?: { message?: string; extensions?: { code?: string } }[] };
    try {
      body = JSON.parse(payload) as typeof body;
    } catch {
      return;
    }
    const codes = (body.errors ?? []).map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
    if (codes.length > 0) recordRefusal(this.registry, this.traceOf(request).logger, codes, body.errors?.[0]?.message ?? '');
  }
}
