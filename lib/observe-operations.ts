// An Apollo Server plugin both servers share: errors counted by code, failed operations logged (with the
// trace and request ids the logger adds), the operation's name and type on the request's span.

import type { ApolloServerPlugin } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import { Counter, type Registry } from 'prom-client';
import { ErrorCode } from './errors';
import type { Logger } from './logger';

/** Codes that say something is wrong on our side (logged as warnings); the others are the client's doing. */
const SERVER_SIDE = new Set<string>([
  ErrorCode.INTERNAL_SERVER_ERROR,
  ErrorCode.FACTORIAL_UNAVAILABLE,
  ErrorCode.DEADLINE_EXCEEDED,
  ErrorCode.RESOURCE_EXHAUSTED,
]);

/** graphql_errors_total{code}, one log line per failed operation, span attributes. */
export function observeOperations<TContext extends object>(options: { registry?: Registry; logger: Logger }): ApolloServerPlugin<TContext> {
  const errors = options.registry
    ? new Counter({
        name: 'graphql_errors_total',
        help: 'Errors in GraphQL responses (REST answers included: they run as operations), by code.',
        labelNames: ['code'],
        registers: [options.registry],
      })
    : undefined;
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async didResolveOperation({ operationName, operation }) {
          const span = trace.getActiveSpan();
          if (operation) span?.setAttribute('graphql.operation.type', operation.operation);
          if (operationName) span?.setAttribute('graphql.operation.name', operationName);
        },
        async willSendResponse({ response, operationName }) {
          if (response.body.kind !== 'single') return;
          const failures = response.body.singleResult.errors;
          const durationMs = Math.round((performance.now() - started) * 10) / 10;
          if (!failures?.length) {
            options.logger.debug({ operation: operationName ?? undefined, durationMs }, 'operation served');
            return;
          }
          const codes = [...new Set(failures.map((error) => String(error.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR)))];
          for (const error of failures) errors?.inc({ code: String(error.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR) });
          trace.getActiveSpan()?.setAttribute('graphql.error.codes', codes);
          const line = {
            operation: operationName ?? undefined,
            codes,
            firstError: failures[0]!.message,
            errors: failures.length,
            durationMs,
          };
          if (codes.some((code) => SERVER_SIDE.has(code))) options.logger.warn(line, 'operation failed');
          else options.logger.info(line, 'operation refused');
        },
      };
    },
  };
}
