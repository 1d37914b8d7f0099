// Apollo's persisted query manifest (`@apollo/generate-persisted-query-manifest`'s format): the operations an
// operator's apps send, each with its id, the SHA-256 of its body. Read whole and checked: a manifest that does not
// parse, or holds an id that is not its body's SHA-256, is refused with the reason.

import { createHash } from 'node:crypto';
import { stripIgnoredCharacters } from 'graphql';

export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';

export interface ManifestOperation {
  readonly id: string;
  readonly name: string;
  readonly type: 'query' | 'mutation' | 'subscription';
  readonly body: string;
}

/** The list a gateway enforces: bodies by id, and every body as the lexer reads it (whitespace, commas, comments gone). */
export interface PersistedDocuments {
  readonly byId: ReadonlyMap<string, ManifestOperation>;
  readonly normalized: ReadonlySet<string>;
  readonly size: number;
}

/** A body's id: its SHA-256, as lower-case hex. */
export const documentId = (body: string): string => createHash('sha256').update(body, 'utf8').digest('hex');

/** A document as the lexer reads it: what the manifest tool's bodies and a client's text are compared by. */
export const normalize = (body: string): string => stripIgnoredCharacters(body);

/** The list a manifest's text holds; throws an Error saying what is wrong. */
export function parseManifest(text: string): PersistedDocuments {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`the manifest is not JSON (${(error as Error).message})`);
  }
  const manifest = json as { format?: unknown; version?: unknown; operations?: unknown };
  if (manifest?.format !== MANIFEST_FORMAT) throw new Error(`the manifest's format must be "${MANIFEST_FORMAT}"`);
  if (manifest.version !== 1) throw new Error(`the manifest's version must be 1 (got ${JSON.stringify(manifest.version)})`);
  if (!Array.isArray(manifest.operations)) throw new Error('the manifest has no operations list');
  const byId = new Map<string, ManifestOperation>();
  const normalized = new Set<string>();
  manifest.operations.forEach((raw: unknown, i) => {
    const operation = raw as Partial<ManifestOperation> | null;
    const at = `operations[${i}]`;
    if (typeof operation?.id !== 'string' || typeof operation.body !== 'string' || typeof operation.name !== 'string') {
      throw new Error(`${at} must have a string id, name and body`);
    }
    if (operation.type !== 'query' && operation.type !== 'mutation' && operation.type !== 'subscription') {
      throw new Error(`${at}.type must be query, mutation or subscription`);
    }
    if (operation.id !== documentId(operation.body)) throw new Error(`${at} (${operation.name}): its id is not the SHA-256 of its body`);
    let text: string;
    try {
      text = normalize(operation.body);
    } catch (error) {
      throw new Error(`${at} (${operation.name}): its body is not GraphQL (${(error as Error).message})`);
    }
    byId.set(operation.id, operation as ManifestOperation);
    normalized.add(text);
  });
  return { byId, normalized, size: byId.size };
}
