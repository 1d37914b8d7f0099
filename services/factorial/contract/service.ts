// The service's definition for grpc-js, for the server and the client alike: ts-proto's generated methods with the
// fast reply codecs.

import { FactorialServiceService } from '../../../generated/proto/factorial/v1/factorial';
import { decodeBatchGetFactorialsResponse, decodeFactorial } from './reply-decoder';
import { encodeBatchGetFactorialsResponse, encodeFactorial } from './reply-encoder';

/** The generated service definition with the fast reply codecs: for the server and the client alike. */
export const FactorialServiceDefinition = {
  getFactorial: {
    ...FactorialServiceService.getFactorial,
    responseSerialize: encodeFactorial,
    responseDeserialize: decodeFactorial,
  },
  batchGetFactorials: {
    ...FactorialServiceService.batchGetFactorials,
    responseSerialize: encodeBatchGetFactorialsResponse,
    responseDeserialize: decodeBatchGetFactorialsResponse,
  },
} as const;
