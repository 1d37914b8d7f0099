// The label names both halves of the gRPC metrics share (go-grpc-prometheus's), and how a method's path fills them.

export const GRPC_METHOD_LABELS = ['grpc_type', 'grpc_service', 'grpc_method'] as const;
export type GrpcMethodLabels = Record<(typeof GRPC_METHOD_LABELS)[number], string>;

/** The labels of a method from its path (`/factorial.v1.FactorialService/BatchGetFactorials`). */
export function methodLabels(path: string, streaming: { request: boolean; response: boolean }): GrpcMethodLabels {
  const [, service = 'unknown', method = 'unknown'] = path.split('/');
  const type = streaming.request ? (streaming.response ? 'bidi_stream' : 'client_stream') : streaming.response ? 'server_stream' : 'unary';
  return { grpc_type: type, grpc_service: service, grpc_method: method };
}
