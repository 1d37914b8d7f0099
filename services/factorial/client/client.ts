// The generated FactorialServiceClient's shape, on the contract's fast reply codecs.

import {
  makeGenericClientConstructor,
  type CallOptions,
  type ChannelCredentials,
  type Client,
  type ClientOptions,
  type ClientUnaryCall,
  type Metadata,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  FactorialServiceDefinition,
  SERVICE_NAME,
  type BatchGetFactorialsRequest,
  type BatchMessage,
  type FactorialMessage,
  type GetFactorialRequest,
} from '../contract';

/** A unary method of a grpc-js client, typed as ts-proto types it: with or without metadata and call options. */
interface UnaryMethod<Request, Response> {
  (request: Request, callback: Reply<Response>): ClientUnaryCall;
  (request: Request, metadata: Metadata, callback: Reply<Response>): ClientUnaryCall;
  (request: Request, metadata: Metadata, options: Partial<CallOptions>, callback: Reply<Response>): ClientUnaryCall;
}
type Reply<T> = (error: ServiceError | null, response: T) => void;

/** The generated FactorialServiceClient, with the replies the fast codecs read. */
export interface FactorialClient extends Client {
  getFactorial: UnaryMethod<GetFactorialRequest, FactorialMessage>;
  /** Results come back in request order, one per request. */
  batchGetFactorials: UnaryMethod<BatchGetFactorialsRequest, BatchMessage>;
}

/** The generated client's class, on the fast codecs. */
export const FastFactorialServiceClient = makeGenericClientConstructor(FactorialServiceDefinition, SERVICE_NAME) as unknown as new (
  address: string,
  credentials: ChannelCredentials,
  options?: Partial<ClientOptions>,
) => FactorialClient;
