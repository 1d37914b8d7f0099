// The service's memory budget for replies in flight, as a server interceptor: a call's request is handed to its
// handler only once the call has its share of the budget (the estimated size of its reply, before any work), and
// the share comes back when the call ends, after its reply has been written to the connection (grpc-js sends the
// status once the message's write completes, which HTTP/2's flow control holds back while the client does not read).
// A call waits within its deadline; when too many wait, the next is refused with RESOURCE_EXHAUSTED at once.
// It records the server's gRPC metrics too, when given them: every layer of interceptor costs each call a wrapper on
// each of its events, and this one sees every way a call ends (answered, refused here, cancelled).

import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import type { Admission } from '../../../lib/admission';
import type { ServerCallMetrics } from '../../../lib/grpc';
import { QueueFullError } from '../../../lib/errors';
import { Deadline } from '../../../lib/request';
import { deadlineMs } from './call-scope';

/**
 * Builds the interceptor; `estimate` gives the bytes a call's request will hold (0 for methods it does not know);
 * `metrics` (serverCallMetrics) counts every call with the code it ended with.
 */
export function replyBudgetInterceptor(
  admission: Admission,
  estimate: (path: string, request: unknown) => number,
  metrics?: ServerCallMetrics,
): ServerInterceptor {
  return (method, call) => {
    const record = metrics?.(method);
    let ended = false;
    let release: (() => void) | undefined;
    // The call's deadline, as the client set it; it expires early when the call ends (cancelled, or answered).
    const deadline = new Deadline(deadlineMs(call.getDeadline()));
    const end = (): void => {
      if (ended) return;
      ended = true;
      release?.();
      deadline.expire();
    };
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message, nextMessage) => {
            const bytes = estimate(method.path, message);
            if (bytes <= 0) return nextMessage(message);
            admission.acquire(bytes, deadline).then(
              (give) => {
                if (ended) return give();
                release = give;
                nextMessage(message);
              },
              (error: unknown) => {
                if (ended) return;
                const refused = error instanceof QueueFullError;
                const code = refused ? status.RESOURCE_EXHAUSTED : status.CANCELLED;
                record?.(code);
                call.sendStatus({
                  code,
                  details: refused ? `the factorial service is saturated (${error.message}); retry later` : 'the call was cancelled',
                  metadata: null,
                });
              },
            );
          },
          onCancel: () => {
            record?.(status.CANCELLED);
            end();
          },
        }),
      sendStatus: (sent, next) => {
        record?.(sent.code);
        next(sent);
        end();
      },
    });
  };
}
