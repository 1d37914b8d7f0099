// How a process is told to reach the factorial service: FACTORIAL_ADDRESS and the client's FACTORIAL_TLS_* settings,
// read the same way by every subgraph.

import { ConfigError, readString } from '../../../lib/config';
import { readPemPair, readPemSetting, type ClientTls } from '../../../lib/grpc';

export interface FactorialClientSettings {
  /** The gRPC target: `host:port`, or `dns:///host:port` to balance over every address it resolves to. */
  readonly address: string;
  /** TLS to the service (FACTORIAL_TLS_CA), with a client certificate for mutual TLS; undefined for plaintext. */
  readonly tls: ClientTls | undefined;
}

/** Reads FACTORIAL_ADDRESS (default localhost:50051), FACTORIAL_TLS_CA, FACTORIAL_TLS_CLIENT_CERT and FACTORIAL_TLS_CLIENT_KEY. */
export function readFactorialClientSettings(env: Readonly<Record<string, string | undefined>>): FactorialClientSettings {
  const ca = readPemSetting(env, 'FACTORIAL_TLS_CA');
  const pair = readPemPair(env, 'FACTORIAL_TLS_CLIENT_CERT', 'FACTORIAL_TLS_CLIENT_KEY');
  if (pair && !ca) throw new ConfigError('FACTORIAL_TLS_CLIENT_CERT and FACTORIAL_TLS_CLIENT_KEY need FACTORIAL_TLS_CA');
  return Object.freeze({ address: readString(env, 'FACTORIAL_ADDRESS', 'localhost:50051'), tls: ca ? { ca, ...pair } : undefined });
}
