// Trusted documents (a persisted query list) on a real gateway: each mode, by id and by body, POST and GET;
// automatic persisted queries around the list; a client allowed free-form operations; the REST route; and the
// manifest replaced under steady traffic (a good one, one that does not parse, one whose id is not its body's
// SHA-256) with no request failed.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiKeyDigest } from '../gateway/src/clients';
import { documentId, MANIFEST_FORMAT, type PersistedDocumentsMode } from '../gateway/src/trusted-documents';
import { projectPath } from '../lib/config';
import { metricValue, startStack, type Stack } from '../harness/stack';
import { binomial } from '../harness/reference';

const MANIFEST = projectPath('examples/persisted-query-manifest.json');
const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { operations: { id: string; name: string; body: string }[] };
const binomialOp = manifest.operations.find((op) => op.name === 'Binomial')!;
const FREEFORM_KEY = 'freeform-key-0123456789';

async function startWith(mode: PersistedDocumentsMode, file = MANIFEST): Promise<Stack> {
  return startStack({
    gateway: {
      persistedDocuments: { mode, file },
      clients: [{ name: 'internal-tool', apiKeySha256: apiKeyDigest(FREEFORM_KEY), freeformOperations: true }],
    },
  });
}

interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
}
async function post(stack: Stack, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}
async function get(stack: Stack, params: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${stack.gatewayUrl}/graphql?${new URLSearchParams(params)}`, {
    headers: { 'apollo-require-preflight': 'true' },
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}
const byId = (id: string, variables?: unknown) => ({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: id } } });
const variables = { n: 30, r: 15 };
const expected = { binomial: { value: binomial(30, 15).toString(), digitCount: 9 } };
const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;
/** The listed Binomial operation as a client might write it: other spacing, commas, a comment. */
const respelled = `# from the app\nquery Binomial($n: Int!, $r: Int!) { binomial(n: $n, r: $r) { value, digitCount, primeFactorization { prime exponent } } }`;
const unlisted = '{ ncr(n: 10, r: 3) }';

describe('safelist mode', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startWith('safelist')), 30_000);
  afterAll(() => stack.stop());

  it('serves a listed operation by id, POST and GET', async () => {
    const post1 = await post(stack, byId(binomialOp.id, variables));
    expect(post1.body.data).toMatchObject(expected);
    const get1 = await get(stack, { variables: JSON.stringify(variables), extensions: JSON.stringify(byId(binomialOp.id).extensions) });
    expect(get1.body.data).toMatchObject(expected);
  });

  it('serves a listed operation by its body, however it is spaced or commented', async () => {
    expect((await post(stack, { query: respelled, variables })).body.data).toMatchObject(expected);
  });

  it('refuses an operation the list lacks, by body or by id, POST and GET, with 400 PERSISTED_QUERY_NOT_IN_LIST', async () => {
    for (const answer of [
      await post(stack, { query: unlisted }),
      await post(stack, byId('0'.repeat(64))),
      await get(stack, { query: unlisted }),
    ]) {
      expect(answer.status).toBe(400);
      expect(codeOf(answer)).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    }
  });

  it('lets no automatic persisted query register an unlisted document', async () => {
    const sha256Hash = documentId(unlisted);
    const register = await post(stack, { query: unlisted, extensions: { persistedQuery: { version: 1, sha256Hash } } });
    expect(codeOf(register)).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(codeOf(await post(stack, byId(sha256Hash)))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it('lets a client of the clients file with freeformOperations send anything, and counts it as unlisted', async () => {
    const answer = await post(stack, { query: unlisted }, { 'x-api-key': FREEFORM_KEY });
    expect(answer.body).toEqual({ data: { ncr: '120' } });
    expect(await metricValue(stack.gatewayRegistry, 'persisted_documents_total', { outcome: 'unlisted', client: 'internal-tool' })).toBe(1);
    expect(
      await metricValue(stack.gatewayRegistry, 'persisted_documents_total', { outcome: 'refused', client: 'anonymous' }),
    ).toBeGreaterThan(0);
  });

  it("always serves the REST route (the gateway's own operation)", async () => {
    expect(await (await fetch(`${stack.gatewayUrl}/api/ncr/10/3`)).text()).toBe('{"input":[10,3],"ncr":120,"msg":"Success"}');
  });
});

describe('safelist mode in development', () => {
  it('lets introspection through, so that Sandbox and GraphiQL work, and nothing else unlisted', async () => {
    const stack = await startStack({ gateway: { production: false, persistedDocuments: { mode: 'safelist', file: MANIFEST } } });
    try {
      expect((await post(stack, { query: '{ __schema { queryType { name } } }' })).body.data).toEqual({
        __schema: { queryType: { name: 'Query' } },
      });
      expect(codeOf(await post(stack, { query: unlisted }))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
      expect(codeOf(await post(stack, { query: '{ __typename ncr(n: 10, r: 3) }' }))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    } finally {
      await stack.stop();
    }
  }, 30_000);
});

describe('ids-only mode', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startWith('ids-only')), 30_000);
  afterAll(() => stack.stop());

  it('serves ids, and refuses a full operation string, even a listed one, with 400 PERSISTED_QUERY_ID_REQUIRED', async () => {
    expect((await post(stack, byId(binomialOp.id, variables))).body.data).toMatchObject(expected);
    for (const query of [binomialOp.body, unlisted]) {
      const answer = await post(stack, { query, variables });
      expect(answer.status).toBe(400);
      expect(codeOf(answer)).toBe('PERSISTED_QUERY_ID_REQUIRED');
    }
    expect(codeOf(await post(stack, byId(documentId(unlisted))))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });
});

describe('log mode', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startWith('log')), 30_000);
  afterAll(() => stack.stop());

  it('serves everything, and counts what the list lacks', async () => {
    expect((await post(stack, { query: unlisted })).body).toEqual({ data: { ncr: '120' } });
    expect((await post(stack, byId(binomialOp.id, variables))).body.data).toMatchObject(expected);
    expect(await metricValue(stack.gatewayRegistry, 'persisted_documents_total', { outcome: 'unlisted' })).toBe(1);
    expect(await metricValue(stack.gatewayRegistry, 'persisted_documents_total', { outcome: 'listed' })).toBe(1);
  });
});

describe('the manifest, replaced under steady traffic', () => {
  it('takes a good one within a second and keeps the list in force through a broken one, with no request failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
    const file = join(dir, 'manifest.json');
    copyFileSync(MANIFEST, file);
    const stack = await startWith('safelist', file);
    // Replaced the way a deploy does it: written beside, then renamed over (as a ConfigMap's symlink swap).
    const replace = (text: string) => {
      writeFileSync(`${file}.next`, text);
      renameSync(`${file}.next`, file);
    };
    let failures = 0;
    let served = 0;
    let running = true;
    const traffic = (async () => {
      while (running) {
        const answer = await post(stack, byId(binomialOp.id, variables));
        if (answer.body.data?.binomial) served++;
        else failures++;
      }
    })();
    try {
      const added = 'query Added { ncr(n: 12, r: 4) }';
      const withAdded = {
        format: MANIFEST_FORMAT,
        version: 1,
        operations: [...manifest.operations, { id: documentId(added), name: 'Added', type: 'query', body: added }],
      };
      expect(codeOf(await post(stack, { query: added }))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
      replace(JSON.stringify(withAdded));
      const started = Date.now();
      while ((await post(stack, { query: added })).body.data?.ncr !== '495') {
        if (Date.now() - started > 1_000) throw new Error('the new manifest was not in force within a second');
        await new Promise((r) => setTimeout(r, 25));
      }
      // Broken: not JSON; then an id that is not its body's SHA-256. The list in force stays.
      for (const broken of [
        '{ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [',
        JSON.stringify({ ...withAdded, operations: [{ ...withAdded.operations[0], body: '{ ncr(n: 1, r: 1) }' }] }),
      ]) {
        const failedBefore = await metricValue(stack.gatewayRegistry, 'persisted_documents_reloads_total', { result: 'failed' });
        replace(broken);
        const until = Date.now() + 2_000;
        while ((await metricValue(stack.gatewayRegistry, 'persisted_documents_reloads_total', { result: 'failed' })) === failedBefore) {
          if (Date.now() > until) throw new Error('the broken manifest was not noticed');
          await new Promise((r) => setTimeout(r, 25));
        }
        expect(await metricValue(stack.gatewayRegistry, 'persisted_documents_manifest_ok')).toBe(0);
        expect((await post(stack, { query: added })).body.data).toEqual({ ncr: '495' });
        expect(codeOf(await post(stack, { query: unlisted }))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
      }
      replace(JSON.stringify(withAdded));
      const until = Date.now() + 2_000;
      while ((await metricValue(stack.gatewayRegistry, 'persisted_documents_manifest_ok')) !== 1) {
        if (Date.now() > until) throw new Error('the good manifest was not taken back');
        await new Promise((r) => setTimeout(r, 25));
      }
      // An operation taken out of the list is refused again, however often it was served.
      replace(readFileSync(MANIFEST, 'utf8'));
      const removed = Date.now();
      while (codeOf(await post(stack, { query: added })) !== 'PERSISTED_QUERY_NOT_IN_LIST') {
        if (Date.now() - removed > 1_000) throw new Error('the removed operation was still served after a second');
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      running = false;
      await traffic;
      await stack.stop();
    }
    expect(failures).toBe(0);
    expect(served).toBeGreaterThan(10);
  }, 30_000);
});

it('ships a manifest equal to what npm run manifest writes from examples/operations', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'manifest-')), 'manifest.json');
  const run = spawnSync(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), projectPath('scripts/manifest.ts'), projectPath('examples/operations'), out],
    { encoding: 'utf8' },
  );
  expect(run.status).toBe(0);
  expect(readFileSync(out, 'utf8')).toBe(readFileSync(MANIFEST, 'utf8'));
});
