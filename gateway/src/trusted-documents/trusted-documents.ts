// Trusted documents (a persisted query list): the operations the operator's apps ship, from Apollo's manifest
// (PERSISTED_DOCUMENTS_FILE), enforced at the gateway in Apollo Router's modes (PERSISTED_DOCUMENTS_MODE):
// - off: as without a list;
// - log: everything is served; an operation the list lacks is logged (its name and hash, never its variables) and
//   counted, so that an operator sees what would break before enforcing;
// - safelist: an operation is served when its id, or its body (as the lexer reads it: whitespace, commas and comments
//   do not count), is in the list; anything else is refused with 400 PERSISTED_QUERY_NOT_IN_LIST;
// - ids-only: only ids; a full operation string, even a listed one, is refused with 400 PERSISTED_QUERY_ID_REQUIRED.
// Ids travel as Apollo Client's persisted-query-lists link sends them, in extensions.persistedQuery.sha256Hash, by
// POST or GET; a listed id is served its body. Automatic persisted queries cannot register an unlisted document in
// safelist and ids-only modes (the text is checked first). A client of the clients file with `freeformOperations` is
// let through (and logged by name); in development, introspection is let through, so that Sandbox and GraphiQL work.
// The check runs before the cache of answers and Apollo Server. Its verdict on an operation's text is kept (a bounded
// cache, emptied when the list changes), so that a text's lexer pass and print are done once, not on every request.
// The manifest file is watched: a new one takes effect within a second; one that does not parse, or has an id that is
// not its body's SHA-256, leaves the previous list in force, is logged, and raises persisted_documents_manifest_ok to 0.

import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type { FastifyRequest } from 'fastify';
import { Kind, parse } from 'graphql';
import { Counter, Gauge, type Registry } from 'prom-client';
import { byteCache } from '../../../lib/cache';
import type { ErrorCode } from '../../../lib/errors';
import type { Logger } from '../../../lib/observability';
import type { ClientIdentity } from '../clients';
import { documentId, normalize, parseManifest, type PersistedDocuments } from './manifest';

export type PersistedDocumentsMode = 'off' | 'log' | 'safelist' | 'ids-only';

export interface TrustedDocumentsOptions {
  mode: PersistedDocumentsMode;
  /** The manifest's path; needed by every mode but off. */
  file?: string;
  /** Production: no introspection is let through. */
  production: boolean;
  /** How often the manifest file is looked at, in ms. Default: 250. */
  watchMs?: number;
  registry?: Registry;
  logger: Logger;
}

export type Verdict = { ok: true } | { ok: false; code: ErrorCode; message: string };

const OK: Verdict = { ok: true };

/** Verdicts kept, by operation text: at most this many bytes of texts, none longer than 64 KiB. */
const VERDICT_CACHE_BYTES = 4 * 1024 * 1024;

export class TrustedDocuments {
  private documents: PersistedDocuments | undefined;
  private readonly outcomes?: Counter<'outcome' | 'client'>;
  private readonly reloads?: Counter<'result'>;
  private manifestOk = 1;
  /** Whether an operation's exact text is in the list in force (emptied when the list changes). */
  private readonly listedTexts = byteCache<string, boolean>(VERDICT_CACHE_BYTES, {
    sizeOf: (_listed, text) => 2 * text.length + 64,
    maxEntryBytes: 64 * 1024,
  });

  constructor(private readonly options: TrustedDocumentsOptions) {
    if (options.mode !== 'off' && !options.file) throw new Error(`PERSISTED_DOCUMENTS_MODE=${options.mode} needs PERSISTED_DOCUMENTS_FILE`);
    if (options.registry) {
      this.outcomes = new Counter({
        name: 'persisted_documents_total',
        help: 'GraphQL requests by their persisted query list outcome (listed, unlisted: served in log mode or to a free-form client, refused), by client.',
        labelNames: ['outcome', 'client'],
        registers: [options.registry],
      });
      this.reloads = new Counter({
        name: 'persisted_documents_reloads_total',
        help: 'Reloads of the persisted query manifest, by result (ok, or failed: the previous list stays in force).',
        labelNames: ['result'],
        registers: [options.registry],
      });
      const self = this;
      new Gauge({
        name: 'persisted_documents_manifest_ok',
        help: 'Whether the persisted query manifest on disk is the one in force (1), or its last change failed to load (0).',
        registers: [options.registry],
        collect() {
          this.set(self.manifestOk);
        },
      });
    }
  }

  get mode(): PersistedDocumentsMode {
    return this.options.mode;
  }

  /** Loads the manifest (a broken one stops start-up) and watches it for changes. */
  start(): this {
    const { file } = this.options;
    if (this.options.mode === 'off' || !file) return this;
    this.documents = parseManifest(readFileSync(file, 'utf8'));
    this.options.logger.info(`persisted query list: ${this.documents.size} operations, ${this.options.mode} mode (${file})`);
    watchFile(file, { interval: this.options.watchMs ?? 250, persistent: false }, (current: Stats, previous: Stats) => {
      if (current.mtimeMs !== previous.mtimeMs || current.ino !== previous.ino || current.size !== previous.size) this.reload();
    });
    return this;
  }

  stop(): void {
    if (this.options.file) unwatchFile(this.options.file);
  }

  /** Reads the manifest again; a broken one leaves the list in force, and says why. */
  reload(): void {
    try {
      this.documents = parseManifest(readFileSync(this.options.file!, 'utf8'));
      this.listedTexts.clear();
      this.manifestOk = 1;
      this.reloads?.inc({ result: 'ok' });
      this.options.logger.info(`persisted query list reloaded: ${this.documents.size} operations`);
    } catch (error) {
      this.manifestOk = 0;
      this.reloads?.inc({ result: 'failed' });
      this.options.logger.error(
        { reason: (error as Error).message },
        `persisted query manifest not loaded: the previous list (${this.documents?.size ?? 0} operations) stays in force`,
      );
    }
  }

  /**
   * The verdict on a GraphQL request, before the cache of answers and Apollo Server; a listed id is replaced by its
   * body in the request itself, so that Apollo runs it.
   */
  check(request: FastifyRequest, client: ClientIdentity, logger: () => Logger): Verdict {
    const { mode } = this.options;
    if (mode === 'off' || !this.documents || (request.method !== 'POST' && request.method !== 'GET')) return OK;
    const fields = (request.method === 'POST' ? request.body : request.query) as Record<string, unknown> | null | undefined;
    if (typeof fields !== 'object' || fields === null) return OK;
    const query = typeof fields.query === 'string' ? fields.query : undefined;
    const id = persistedQueryId(fields.extensions);
    const name = typeof fields.operationName === 'string' ? fields.operationName.slice(0, 100) : undefined;

    if (query === undefined) {
      if (id === undefined) return OK; // Apollo refuses it
      const listed = this.documents.byId.get(id);
      if (listed) {
        fields.query = listed.body;
        return this.count('listed', client);
      }
      return this.unlisted(client, logger, { name, id, why: 'an id the list lacks' });
    }
    if (mode === 'ids-only') {
      if (this.exempt(client, query)) return this.count('unlisted', client);
      this.count('refused', client);
      return {
        ok: false,
        code: 'PERSISTED_QUERY_ID_REQUIRED',
        message: 'this API serves persisted operations by id only: send extensions.persistedQuery.sha256Hash',
      };
    }
    if (this.isListed(query)) return this.count('listed', client);
    return this.unlisted(client, logger, { name, id: documentId(query), why: 'an operation the list lacks' }, query);
  }

  /** Whether `query` is in the list as the lexer reads it; decided once per text. */
  private isListed(query: string): boolean {
    let listed = this.listedTexts.get(query);
    if (listed !== undefined) return listed;
    let text: string | undefined;
    try {
      text = normalize(query);
    } catch {
      // Not GraphQL: unlisted (Apollo would refuse it anyway).
    }
    listed = text !== undefined && this.documents!.normalized.has(text);
    this.listedTexts.set(query, listed);
    return listed;
  }

  /** An operation the list lacks: served in log mode, to a free-form client and (in development) to introspection. */
  private unlisted(
    client: ClientIdentity,
    logger: () => Logger,
    what: { name?: string; id: string; why: string },
    query?: string,
  ): Verdict {
    const served = this.options.mode === 'log' || this.exempt(client, query);
    // Its name and hash, never its variables.
    logger().info(
      { operation: what.name, sha256: what.id, client: client.label, freeform: client.known?.freeformOperations ?? false },
      served ? `${what.why}: served (${this.options.mode} mode)` : `${what.why}: refused`,
    );
    if (served) return this.count('unlisted', client);
    this.count('refused', client);
    return { ok: false, code: 'PERSISTED_QUERY_NOT_IN_LIST', message: 'this operation is not in the persisted query list of this API' };
  }

  /** A client allowed free-form operations, or (in development) an introspection-only operation. */
  private exempt(client: ClientIdentity, query: string | undefined): boolean {
    if (client.known?.freeformOperations) return true;
    return !this.options.production && query !== undefined && introspectionOnly(query);
  }

  private count(outcome: 'listed' | 'unlisted' | 'refused', client: ClientIdentity): Verdict {
    this.outcomes?.inc({ outcome, client: client.label });
    return OK;
  }
}

/** extensions.persistedQuery.sha256Hash, from a parsed object or a GET's JSON text. */
function persistedQueryId(extensions: unknown): string | undefined {
  let value = extensions;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const hash = (value as { persistedQuery?: { sha256Hash?: unknown } } | null | undefined)?.persistedQuery?.sha256Hash;
  return typeof hash === 'string' ? hash : undefined;
}

/** Whether every operation of a document selects only introspection fields (__schema, __type, __typename). */
function introspectionOnly(query: string): boolean {
  try {
    const operations = parse(query).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    return (
      operations.length > 0 &&
      operations.every((op) => op.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__')))
    );
  } catch {
    return false;
  }
}
