// The service's memory budget for replies in flight, as a server interceptor: a call's request is handed to its
// handler only once the call has its share of the budget (the estimated size of its reply, before any work), and
// the share comes back when the call ends, after its reply has been written to the connection (grpc-js sends the
// status once the message's write completes, which HTTP/2's flow control holds back while the client does not read).
// A call waits within its deadline; when too many wait, the next is refused with RESOURCE_EXHAUSTED at once.

import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import type { Admission } from '../../../lib/admission';
import { QueueFullError } from '../../../lib/errors';
import { Deadline } from '../../../lib/request';
import { deadlineMs } from './call-scope';

/** Builds the interceptor; `estimate` gives the bytes a call's request will hold (0 for methods it does not know). */
export function replyBudgetInterceptor(admission: Admission, estimate: (path: string, request: unknown) => number): ServerInterceptor {
  return (method, call) => {
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
                call.sendStatus({
                  code: refused ? status.RESOURCE_EXHAUSTED : status.CANCELLED,
                  details: refused ? `the factorial service is saturated (${error.message}); retry later` : 'the call was cancelled',
                  metadata: null,
                });
              },
            );
          },
          onCancel: end,
        }),
      sendStatus: (sent, next) => {
        next(sent);
        end();
      },
    });
  };
}
