// The factorial service's name, its limits and the size of a reply, written once for the server and its clients (so
// that a client never sends a batch the server will refuse).

import { Representation, type BatchGetFactorialsRequest, type GetFactorialRequest } from '../../../generated/proto/factorial/v1/factorial';
import { factorialBits, primesUpTo } from '../../../lib/math';
import { projectPath } from '../../../lib/config';

export { Representation, type BatchGetFactorialsRequest, type GetFactorialRequest };

/** The gRPC service's full name. */
export const SERVICE_NAME = 'factorial.v1.FactorialService';

/** The contract's proto file (served by reflection). */
export const PROTO_PATH = projectPath('proto/factorial/v1/factorial.proto');

/** Most requests in one BatchGetFactorials call; a longer batch is refused with INVALID_ARGUMENT. */
export const MAX_BATCH_SIZE = 1000;

/** Largest reply one call may ask for, estimated before any work; a call above it is refused with INVALID_ARGUMENT. */
export const MAX_REPLY_BYTES = 64 * 1024 * 1024;

/** What a client must accept: the largest reply plus framing. */
export const MAX_RECEIVE_BYTES = MAX_REPLY_BYTES + 1024 * 1024;

/** The two forms of a factorial, as logs, metrics and spans name them. */
export type RepresentationName = 'value' | 'prime_exponents';

/** The name of a representation (UNSPECIFIED is VALUE, as the proto says); undefined for a number the proto lacks. */
export function representationName(representation: Representation): RepresentationName | undefined {
  switch (representation) {
    case Representation.REPRESENTATION_UNSPECIFIED:
    case Representation.REPRESENTATION_VALUE:
      return 'value';
    case Representation.REPRESENTATION_PRIME_EXPONENTS:
      return 'prime_exponents';
    default:
      return undefined;
  }
}

/** Bytes that n! takes as a value (within a byte or two). */
export function valueBytes(n: number): number {
  return Math.ceil(factorialBits(n) / 8);
}

/** Bytes that the prime exponents of n! take on the wire (at most 5 per packed varint; about 2 in practice, 3 counted). */
export function exponentBytes(n: number): number {
  return primesUpTo(n).length * 3;
}

/** The estimated size of one request's part of a reply. */
export function replyBytes(request: GetFactorialRequest): number {
  return representationName(request.representation) === 'prime_exponents' ? exponentBytes(request.n) : valueBytes(request.n);
}
