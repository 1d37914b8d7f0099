// The request family: its deadline (and cancellation) and its id, as they travel between processes.

export { Deadline, DEADLINE_HEADER, deadlineFromHeader, responseDeadline } from './deadline';
export { isSaneRequestId, REQUEST_ID_HEADER } from './request-id';
export type { RequestScope } from './scope';
