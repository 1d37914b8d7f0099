// The clients file (CLIENTS_FILE): the clients an operator knows by name, each with the SHA-256 of its API key (never
// the key itself), and optionally its own quota of work and whether it may send operations outside the persisted
// query list. Read once at start-up and checked whole: a mistake stops the gateway with a message naming it.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../../lib/config';

/** One client of the file. */
export interface KnownClient {
  /** Its name in metrics and logs: 1 to 63 lower-case letters, digits, '.', '_' or '-'. */
  readonly name: string;
  /** The SHA-256 of its API key, 64 hexadecimal digits. */
  readonly apiKeySha256: string;
  /** Its quota: units of work a second, and the most it may spend at once; absent: the defaults for everyone. */
  readonly workPerSecond?: number;
  readonly burst?: number;
  /** Whether it may send operations the persisted query list lacks (an internal tool, a partner migrating). */
  readonly freeformOperations: boolean;
}

/** The SHA-256 of an API key, as the clients file stores it. */
export function apiKeyDigest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const DIGEST = /^[0-9a-f]{64}$/;
const FIELDS = new Set(['name', 'apiKeySha256', 'workPerSecond', 'burst', 'freeformOperations']);

/** Reads and checks a clients file; `where` names it in errors. */
export function parseClientsFile(text: string, where: string): readonly KnownClient[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${where} is not JSON (${(error as Error).message})`);
  }
  const list = (json as { clients?: unknown } | null)?.clients;
  if (!Array.isArray(list)) throw new ConfigError(`${where} must be {"clients": [...]}`);
  const names = new Set<string>();
  const digests = new Set<string>();
  return Object.freeze(
    list.map((raw: unknown, i): KnownClient => {
      const at = `${where}: clients[${i}]`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${at} must be an object`);
      const entry = raw as Record<string, unknown>;
      const unknown = Object.keys(entry).filter((key) => !FIELDS.has(key));
      if (unknown.length > 0) throw new ConfigError(`${at} has unknown fields: ${unknown.join(', ')} (known: ${[...FIELDS].join(', ')})`);
      const { name, apiKeySha256, workPerSecond, burst, freeformOperations } = entry;
      if (typeof name !== 'string' || !NAME.test(name))
        throw new ConfigError(`${at}.name must match ${NAME} (got ${JSON.stringify(name)})`);
      if (typeof apiKeySha256 !== 'string' || !DIGEST.test(apiKeySha256)) {
        throw new ConfigError(`${at}.apiKeySha256 must be the SHA-256 of its key in 64 lower-case hex digits, never the key itself`);
      }
      if (names.has(name)) throw new ConfigError(`${at}.name ${name} is listed twice`);
      if (digests.has(apiKeySha256)) throw new ConfigError(`${at}.apiKeySha256 is another client's too`);
      names.add(name);
      digests.add(apiKeySha256);
      for (const [field, value] of Object.entries({ workPerSecond, burst })) {
        if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1e9)) {
          throw new ConfigError(`${at}.${field} must be a whole number from 1 to 10^9 (got ${JSON.stringify(value)})`);
        }
      }
      if ((workPerSecond === undefined) !== (burst === undefined))
        throw new ConfigError(`${at} must give workPerSecond and burst together`);
      if (freeformOperations !== undefined && typeof freeformOperations !== 'boolean') {
        throw new ConfigError(`${at}.freeformOperations must be true or false`);
      }
      return Object.freeze({
        name,
        apiKeySha256,
        ...(workPerSecond !== undefined && { workPerSecond: workPerSecond as number, burst: burst as number }),
        freeformOperations: freeformOperations === true,
      });
    }),
  );
}

/** Reads the clients file at `path`. */
export function readClientsFile(path: string): readonly KnownClient[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`CLIENTS_FILE ${JSON.stringify(path)} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseClientsFile(text, `CLIENTS_FILE ${path}`);
}
