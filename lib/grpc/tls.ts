// TLS and mutual TLS for the gRPC hop, from PEM files named in settings.

import * as fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ConfigError } from '../config';

/** What the factorial service serves TLS with; a client CA turns on mutual TLS (client certificates required). */
export interface ServerTls {
  cert: Buffer;
  key: Buffer;
  clientCa?: Buffer;
}

/** What a client trusts (ca; the system's roots when absent) and, for mutual TLS, presents (cert and key). */
export interface ClientTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export function serverCredentials(tls: ServerTls | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(
    tls.clientCa ?? null,
    [{ private_key: tls.key, cert_chain: tls.cert }],
    tls.clientCa !== undefined,
  );
}

export function clientCredentials(tls: ClientTls | undefined): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null);
}

type Env = Readonly<Record<string, string | undefined>>;

/** The contents of the PEM file a setting names, or undefined when unset. */
export function readPemSetting(env: Env, name: string): Buffer | undefined {
  const file = env[name]?.trim();
  if (!file) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new ConfigError(
      `${name} must name a readable PEM file, but ${JSON.stringify(file)} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** Two settings that must be given together (a certificate and its key). */
export function readPemPair(env: Env, certName: string, keyName: string): { cert: Buffer; key: Buffer } | undefined {
  const cert = readPemSetting(env, certName);
  const key = readPemSetting(env, keyName);
  if (!cert !== !key) throw new ConfigError(`${certName} and ${keyName} must be set together`);
  return cert && key ? { cert, key } : undefined;
}
