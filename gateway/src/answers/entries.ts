// What the cache of answers keeps, under which keys, and how many bytes each entry is counted for.

/** A GraphQL answer: its JSON as sent, and its Cache-Control as computed when it was. */
export interface GraphQLAnswer {
  readonly kind: 'graphql';
  readonly body: Buffer;
  readonly cacheControl: string;
  readonly maxAgeSeconds: number;
  readonly storedAt: number;
}

/** A REST answer: the digits of ncr, and its Cache-Control as computed when it was. */
export interface RestAnswer {
  readonly kind: 'rest';
  readonly digits: string;
  readonly cacheControl: string;
  readonly storedAt: number;
}

/** An operation's text (or its persisted query hash), known to stand for a normalized document. */
export interface DocumentAlias {
  readonly kind: 'alias';
  readonly documentId: string;
}

export type Entry = GraphQLAnswer | RestAnswer | DocumentAlias;

/** Bytes an entry is counted for besides its key and its payload (the object, lru-cache's bookkeeping). */
const ENTRY_OVERHEAD = 96;

/** The bytes an entry takes, its key included. */
export function entryBytes(key: string, entry: Entry): number {
  const payload =
    entry.kind === 'graphql'
      ? entry.body.length + entry.cacheControl.length
      : entry.kind === 'rest'
        ? entry.digits.length + entry.cacheControl.length
        : entry.documentId.length;
  return key.length + ENTRY_OVERHEAD + payload;
}

/** Keys, one prefix per kind of entry. */
export const keys = {
  /** A GraphQL answer: the normalized document, the operation's name and the variables with their keys sorted. */
  answer: (documentId: string, operationName: string | null | undefined, variables: unknown): string =>
    `a:${documentId}:${operationName ?? ''}:${variables == null ? '' : canonicalJson(variables)}`,
  /** The REST answer for n and r. */
  rest: (n: number, r: number): string => `r:${n}/${r}`,
  /** The document an operation's text stands for. */
  text: (query: string): string => `q:${query}`,
  /** The document a persisted query hash stands for. */
  hash: (sha256Hash: string): string => `h:${sha256Hash}`,
};

/**
 * JSON with every object's keys sorted: the same variables give the same text, whatever order the client wrote.
 * Recursive: the HTTP layer has refused any value nested deeper than MAX_JSON_DEPTH before it gets here.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const names = Object.keys(value).sort();
    return `{${names.map((name) => `${JSON.stringify(name)}:${canonicalJson((value as Record<string, unknown>)[name])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
