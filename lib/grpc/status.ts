// gRPC status codes by name, as metrics and logs label them.

import { status } from '@grpc/grpc-js';

const STATUS_NAMES: Record<number, string> = Object.fromEntries(Object.entries(status).map(([name, code]) => [code, name]));

/** The name of a gRPC status code (`OK`, `UNAVAILABLE`, ...). */
export function grpcCodeName(code: number): string {
  return STATUS_NAMES[code] ?? String(code);
}
