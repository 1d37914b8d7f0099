// An Apollo Server plugin both servers share: errors counted by code, failed operations and unexpected errors
// logged with the request's ids, the operation's name and type on the request's span (tracing on).

import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { trace } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { ErrorCode, ERRORS, isErrorCode } from '../errors';
import { errorCounter, isRecording, type Logger, type RequestTrace } from '../observability';
import { isPublicCode } from './format-error';

/** Codes that say something is wrong on our side (logged as warnings); the others are the client's doing. */
const serverSide = (code: string): boolean => !isErrorCode(code) || ERRORS[code].fault === 'server';

/**
 * graphql_errors_total{code}; one log line per failed operation (info when the client's doing, warn when
 * ours), the stack of every unexpected (masked) error, and a debug line per operation served. Lines go to the
 * request's logger (`contextValue.trace`), bound to its trace and request ids.
 */
export function observeOperations<TContext extends { trace?: RequestTrace }>(options: {
  registry?: Registry;
  logger: Logger;
}): ApolloServerPlugin<TContext> {
  const errors = options.registry ? errorCounter(options.registry) : undefined;
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
          if (codes.some(serverSide)) logger().warn(line, 'operation failed');
          else logger().info(line, 'operation refused');
        },
      };
    },
  };
}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}
