// The one reader of Cache-Control in the gateway: the subgraphs' headers restrict an operation's policy, and the
// cache of answers keeps what a shared cache may keep.

/** What a Cache-Control header says, of what the gateway acts on. */
export interface CacheControl {
  /** max-age in seconds, when given as a whole number. */
  readonly maxAge: number | undefined;
  readonly scope: 'PUBLIC' | 'PRIVATE' | undefined;
  /** no-store or no-cache: not to be kept (or served) without asking again. */
  readonly noStore: boolean;
}

/**
 * What headers said, by their text. Every subgraph answer and every answer kept is read, and their headers take a
 * handful of values (the subgraphs' and the gateway's own policies): each is split and matched once. Bounded, in case a
 * subgraph varies its max-age.
 */
const known = new Map<string, CacheControl>();
const KNOWN_MAX = 256;

/** Reads a Cache-Control header (several values are read as one list); directive names are case-insensitive. */
export function readCacheControl(header: string | readonly string[] | undefined): CacheControl {
  const text = typeof header === 'string' ? header : (header ?? []).join(',');
  let read = known.get(text);
  if (!read) {
    read = Object.freeze(parse(text));
    if (known.size >= KNOWN_MAX) known.clear();
    known.set(text, read);
  }
  return read;
}

function parse(text: string): CacheControl {
  let maxAge: number | undefined;
  let scope: 'PUBLIC' | 'PRIVATE' | undefined;
  let noStore = false;
  for (const directive of text.split(',')) {
    const [name, rawValue] = directive
      .trim()
      .toLowerCase()
      .split(/\s*=\s*/, 2) as [string, string | undefined];
    const value = rawValue?.replace(/^"|"$/g, '');
    if (name === 'max-age' && value !== undefined && /^\d+$/.test(value)) maxAge = Number(value);
    else if (name === 'public') scope ??= 'PUBLIC';
    else if (name === 'private') scope = 'PRIVATE';
    else if (name === 'no-store' || name === 'no-cache') noStore = true;
  }
  return { maxAge, scope, noStore };
}

/** The max-age of a Cache-Control that lets shared caches keep the answer (public, not private, no-store or no-cache), else 0. */
export function sharedMaxAge(header: string | undefined): number {
  const { maxAge, scope, noStore } = readCacheControl(header);
  return scope === 'PUBLIC' && !noStore ? (maxAge ?? 0) : 0;
}
