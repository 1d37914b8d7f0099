// The Apollo Server options both servers share: one place for the security posture and the signal policy.

import { createErrorFormatter } from './format-error';

/**
 * CSRF prevention on; no stack traces to clients; unexpected errors masked (observe-operations.ts logs them); in production no
 * introspection and no "did you mean" hints; Apollo's own signal handlers off, since each main.ts owns the
 * signals (Apollo's would stop the server and re-raise the signal).
 */
export function hardenedApolloOptions(options: { production?: boolean }) {
  return {
    csrfPrevention: true,
    stopOnTerminationSignals: false,
    introspection: !options.production,
    hideSchemaDetailsFromClientErrors: options.production ?? false,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(),
  } as const;
}
