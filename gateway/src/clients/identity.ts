// Who is asking: a client of the clients file, by its API key (x-api-key), or else an address (the peer's, or the
// X-Forwarded-For of a listed proxy: Fastify's trustProxy). Apollo's client-awareness headers (apollographql-client-
// name and -version) label logs but decide nothing: a name anyone can send is not an identity.

import type { FastifyRequest } from 'fastify';
import { apiKeyDigest, type KnownClient } from './clients-file';

/** The header that carries an API key. */
export const API_KEY_HEADER = 'x-api-key';

/** The metric label of every client not in the clients file (addresses are not labels: there are too many). */
export const ANONYMOUS = 'anonymous';

export interface ClientIdentity {
  /** Its metric label: its name in the file, or ANONYMOUS. */
  readonly label: string;
  /** What its quota is counted under: `client:<name>` or `address:<ip>`. */
  readonly quotaKey: string;
  /** Its entry in the clients file, if it has one. */
  readonly known: KnownClient | undefined;
  /** What it says it is (Apollo's client awareness), for logs only; at most 64 characters each. */
  readonly claimed: { name?: string; version?: string };
}

/** An API key that names no client: refused (UNAUTHENTICATED), not counted as an anonymous request. */
export class UnknownApiKeyError extends Error {
  constructor() {
    super(`the ${API_KEY_HEADER} header names no client of this gateway`);
  }
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === 'string' ? value.slice(0, 64) : undefined;
};

export class Clients {
  private readonly byDigest: ReadonlyMap<string, KnownClient>;

  constructor(readonly known: readonly KnownClient[]) {
    this.byDigest = new Map(known.map((client) => [client.apiKeySha256, client]));
  }

  /** Who sent `request`; throws UnknownApiKeyError for a key the file lacks. */
  identify(request: FastifyRequest): ClientIdentity {
    const claimed = { name: header(request, 'apollographql-client-name'), version: header(request, 'apollographql-client-version') };
    const key = request.headers[API_KEY_HEADER];
    if (key !== undefined) {
      const client = typeof key === 'string' ? this.byDigest.get(apiKeyDigest(key)) : undefined;
      if (!client) throw new UnknownApiKeyError();
      return { label: client.name, quotaKey: `client:${client.name}`, known: client, claimed };
    }
    return { label: ANONYMOUS, quotaKey: `address:${request.ip}`, known: undefined, claimed };
  }
}
