// The factorial service's client settings: the one place that says how to reach it well.

import * as grpc from '@grpc/grpc-js';
import { FastFactorialServiceClient, type FactorialClient } from './client';
import { MAX_RECEIVE_BYTES, SERVICE_NAME } from '../contract';

export interface FactorialClientOptions {
  /** Largest reply accepted. Default: the service's largest reply plus 1 MiB of framing (MAX_RECEIVE_BYTES). */
  maxReceiveBytes?: number;
  /** Credentials. Default: plaintext. */
  credentials?: grpc.ChannelCredentials;
}

/**
 * Channel options for the factorial service. Replies for large n exceed gRPC's 4 MiB default
 * receive limit (10^6! alone is 2.3 MB, a batch can hold many), so the limit is raised to the
 * largest reply the service will send. Round-robin spreads calls over every address a
 * `dns:///host:port` target resolves to; UNAVAILABLE is retried with a short backoff, within
 * each call's deadline; reconnects back off from 100 ms to at most 1 s so a restarted
 * service is found again within seconds; keepalive pings detect dead connections; a flow-control
 * window of 8 MiB lets big replies arrive without waiting for window updates.
 */
export function factorialChannelOptions(maxReceiveBytes = MAX_RECEIVE_BYTES): grpc.ChannelOptions {
  const serviceConfig = {
    loadBalancingConfig: [{ round_robin: {} }],
    methodConfig: [
      {
        name: [{ service: SERVICE_NAME }],
        retryPolicy: {
          maxAttempts: 4,
          initialBackoff: '0.05s',
          maxBackoff: '0.5s',
          backoffMultiplier: 2,
          retryableStatusCodes: ['UNAVAILABLE'],
        },
      },
    ],
  };
  return {
    'grpc.max_receive_message_length': maxReceiveBytes,
    'grpc.service_config': JSON.stringify(serviceConfig),
    'grpc.enable_retries': 1,
    'grpc.keepalive_time_ms': 20_000,
    'grpc.keepalive_timeout_ms': 5_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 1_000,
    'grpc.dns_min_time_between_resolutions_ms': 2_000,
    // Channelz (grpc-js's introspection service, which this project never serves) counts and timestamps every call.
    'grpc.enable_channelz': 0,
    // HTTP/2's default 64 KB flow-control window makes a 2.3 MB reply (10^6!) wait for dozens of window
    // updates: 18 ms against 10 ms with 8 MiB here. It bounds what a connection buffers, not what it sends.
    'grpc-node.flow_control_window': 8 * 1024 * 1024,
  };
}

/** A long-lived client for `target` (`host:port` or `dns:///host:port`); create one per process. Replies are read with the contract's fast codecs. */
export function createFactorialClient(target: string, options: FactorialClientOptions = {}): FactorialClient {
  return new FastFactorialServiceClient(
    target,
    options.credentials ?? grpc.credentials.createInsecure(),
    factorialChannelOptions(options.maxReceiveBytes),
  );
}
