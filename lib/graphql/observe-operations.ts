// An Apollo Server plugin both servers share: errors counted by code, failed operations and unexpected errors
// logged with the request's ids, the operation's name and type on the request's span (tracing on).

import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { trace } from '@opentelemetry/api';
import { Counter, type Registry } from 'prom-client';
import { ErrorCode } from '../errors';
import type { RequestTrace } from '../observability';
import { isPublicCode } from './format-error';
import type { Logger } from '../observability';
import { isRecording } from '../observability';

/** Codes that say something is wrong on our side (logged as warnings); the others are the client's doing. */
const SERVER_SIDE = new Set<string>([
  ErrorCode.INTERNAL_SERVER_ERROR,
  ErrorCode.FACTORIAL_UNAVAILABLE,
  ErrorCode.DEADLINE_EXCEEDED,
  ErrorCode.RESOURCE_EXHAUSTED,
]);

/**
 * graphql_errors_total{code}; one log line per failed operation (info when the client's doing, warn when
 * ours), the stack of every unexpected (masked) error, and a debug line per operation served. Lines go to the
 * request's logger (`contextValue.trace`), bound to its trace and request ids.
 */
export function observeOperations<TContext extends { trace?: RequestTrace }>(options: {
  registry?: Registry;
  logger: Logger;
}): ApolloServerPlugin<TContext> {
  const errors = options.registry
    ? new Counter({
        name: 'graphql_errors_total',
        help: 'Errors in GraphQL responses (REST answers included: they run as operations), by code.',
        labelNames: ['code'],
        registers: [options.registry],
      })
    : undefined;
  const recording = isRecording();
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      const logger = (): Logger => contextValue.trace?.logger ?? options.logger;
      return {
        ...(recording && {
          async didResolveOperation({ operationName, operation }) {
            const span = trace.getActiveSpan();
            if (operation) span?.setAttribute('graphql.operation.type', operation.operation);
            if (operationName) span?.setAttribute('graphql.operation.name', operationName);
          },
        }),
        async didEncounterErrors({ errors: encountered }) {
          for (const error of encountered) {
            if (!isPublicCode(error.extensions?.code)) {
              logger().error({ err: unwrapResolverError(error), path: error.path?.join('.') }, 'unexpected error, masked for the client');
            }
          }
        },
        async willSendResponse({ response, operationName }) {
          if (response.body.kind !== 'single') return;
          const failures = response.body.singleResult.errors;
          if (!failures?.length) {
            if (options.logger.isLevelEnabled('debug')) {
              logger().debug({ operation: operationName ?? undefined, durationMs: elapsed(started) }, 'operation served');
            }
            return;
          }
          const codes = [...new Set(failures.map((error) => String(error.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR)))];
          for (const error of failures) errors?.inc({ code: String(error.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR) });
          if (recording) trace.getActiveSpan()?.setAttribute('graphql.error.codes', codes);
          const line = {
            operation: operationName ?? undefined,
            codes,
            firstError: failures[0]!.message,
            errors: failures.length,
            durationMs: elapsed(started),
          };
          if (codes.some((code) => SERVER_SIDE.has(code))) logger().warn(line, 'operation failed');
          else logger().info(line, 'operation refused');
        },
      };
    },
  };
}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}
