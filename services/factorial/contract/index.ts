// The factorial service's contract beyond the proto, for its server and its clients alike (as nice-grpc-common is to
// nice-grpc): the service's name and limits, the size of a reply, the reply messages and their fast codecs, and the
// service definition. The server imports this, never the client.

// The service's name, its limits, the size of a reply, the representations.
export {
  exponentBytes,
  MAX_BATCH_SIZE,
  MAX_RECEIVE_BYTES,
  MAX_REPLY_BYTES,
  PROTO_PATH,
  replyBytes,
  Representation,
  representationName,
  SERVICE_NAME,
  valueBytes,
  type BatchGetFactorialsRequest,
  type GetFactorialRequest,
  type RepresentationName,
} from './limits';
// The reply messages, and their fast codecs.
export type { BatchMessage, BatchReply, FactorialMessage, FactorialReply } from './messages';
export { encodeBatchGetFactorialsResponse, encodeFactorial } from './reply-encoder';
export { decodeBatchGetFactorialsResponse, decodeFactorial } from './reply-decoder';
// The definition grpc-js serves and calls.
export { FactorialServiceDefinition } from './service';
