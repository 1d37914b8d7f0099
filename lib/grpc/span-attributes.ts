// The attributes of a gRPC span, by OpenTelemetry's current RPC semantic conventions: `rpc.system.name`, the
// fully-qualified `rpc.method`, and `rpc.status_code` as the status's name.

import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_RPC_METHOD,
  ATTR_RPC_STATUS_CODE,
  ATTR_RPC_SYSTEM_NAME,
  RPC_SYSTEM_NAME_VALUE_GRPC,
} from '@opentelemetry/semantic-conventions';
import { grpcCodeName } from './status';

/** What a span of a call to `service`/`method` starts with, on either side. */
export function rpcSpanAttributes(service: string, method: string): Attributes {
  return { [ATTR_RPC_SYSTEM_NAME]: RPC_SYSTEM_NAME_VALUE_GRPC, [ATTR_RPC_METHOD]: `${service}/${method}` };
}

/** What a span records when its call ends. */
export function rpcStatusAttributes(code: number): Attributes {
  return { [ATTR_RPC_STATUS_CODE]: grpcCodeName(code) };
}
