// Server-side gRPC metrics named as in go-grpc-prometheus, and a wrapper that records every unary call.

import { status, type handleUnaryCall, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { Counter, Histogram, type Registry } from 'prom-client';
import { grpcCodeName } from '../../../lib/errors';
import { LATENCY_BUCKETS } from '../../../lib/metrics';

export interface GrpcServerMetrics {
  /** Wraps a unary handler so each call is counted by code and timed. */
  instrument<Req, Res>(service: string, method: string, handler: handleUnaryCall<Req, Res>): handleUnaryCall<Req, Res>;
}

/** Registers grpc_server_started_total, grpc_server_handled_total and grpc_server_handling_seconds. */
export function createGrpcServerMetrics(registry: Registry): GrpcServerMetrics {
  const labelNames = ['grpc_type', 'grpc_service', 'grpc_method'] as const;
  const started = new Counter({
    name: 'grpc_server_started_total',
    help: 'RPCs started on the server.',
    labelNames,
    registers: [registry],
  });
  const handled = new Counter({
    name: 'grpc_server_handled_total',
    help: 'RPCs completed on the server, by status code.',
    labelNames: [...labelNames, 'grpc_code'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'grpc_server_handling_seconds',
    help: 'Time from receiving a request to sending its reply.',
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return {
    instrument<Req, Res>(service: string, method: string, handler: handleUnaryCall<Req, Res>): handleUnaryCall<Req, Res> {
      const labels = { grpc_type: 'unary', grpc_service: service, grpc_method: method };
      return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
        started.inc(labels);
        const stop = seconds.startTimer(labels);
        handler(call, (error, value, trailer, flags) => {
          const code = error ? (error.code ?? status.UNKNOWN) : status.OK;
          handled.inc({ ...labels, grpc_code: grpcCodeName(code) });
          stop();
          callback(error, value, trailer, flags);
        });
      };
    },
  };
}
