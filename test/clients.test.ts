// Every kind of client reads exact answers: the lossless form of the REST route, its OpenAPI description checked
// against real answers, compression, CORS from another origin, the page a person opens, and every refusal counted.

import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate as validateOpenApi } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020';
import { parse as parseLossless, isLosslessNumber } from 'lossless-json';
import { createLogger } from '../lib/observability';
import { metricValue, startStack, type Stack } from '../harness/stack';
import { binomial } from '../harness/reference';

/** Log lines the gateway writes, parsed. */
const lines: { msg: string; request_id?: string; codes?: string[]; firstError?: string }[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as (typeof lines)[number]);
    done();
  },
});

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ gateway: { logger: createLogger('gateway', 'info', sink) } });
});
afterAll(() => stack.stop());

describe('the lossless form of the REST route', () => {
  it('gives a JavaScript client, fetch().json(), the exact C(1030, 515) with ?ncr=string (the default form is Infinity to it)', async () => {
    const exact = binomial(1030, 515).toString();
    const lossless = (await (await fetch(`${stack.gatewayUrl}/api/ncr/1030/515?ncr=string`)).json()) as { ncr: string };
    expect(lossless.ncr).toBe(exact);
    expect(BigInt(lossless.ncr)).toBe(binomial(1030, 515));
    // What the tutorial's form does to JSON.parse: the reason the lossless form exists.
    const tutorial = (await (await fetch(`${stack.gatewayUrl}/api/ncr/1030/515`)).json()) as { ncr: number };
    expect(tutorial.ncr).toBe(Infinity);
  });

  it('answers the lossless form to an Accept with IEEE754Compatible=true, with its media type, and varies on Accept', async () => {
    const response = await fetch(`${stack.gatewayUrl}/api/ncr/60/30`, { headers: { accept: 'application/json;IEEE754Compatible=true' } });
    expect(response.headers.get('content-type')).toBe('application/json;IEEE754Compatible=true;charset=utf-8');
    expect(response.headers.get('vary')).toMatch(/accept/i);
    expect(((await response.json()) as { ncr: string }).ncr).toBe('118264581564861424');
    const plain = await fetch(`${stack.gatewayUrl}/api/ncr/60/30`);
    expect(plain.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await plain.text()).toBe('{"input":[60,30],"ncr":118264581564861424,"msg":"Success"}');
  });

  it('keeps the number form exact for a lossless parser, and ?ncr=number overrides an Accept', async () => {
    const text = await (
      await fetch(`${stack.gatewayUrl}/api/ncr/200/100?ncr=number`, { headers: { accept: 'application/json;IEEE754Compatible=true' } })
    ).text();
    const parsed = parseLossless(text) as { ncr: unknown };
    expect(isLosslessNumber(parsed.ncr)).toBe(true);
    expect(BigInt(String(parsed.ncr))).toBe(binomial(200, 100));
  });

  it("refuses an unknown form with BAD_USER_INPUT in the route's own shape", async () => {
    const response = await fetch(`${stack.gatewayUrl}/api/ncr/10/3?ncr=hex`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      input: ['10', '3'],
      ncr: null,
      msg: 'ncr must be number or string (got ncr = "hex")',
      code: 'BAD_USER_INPUT',
    });
  });
});

describe('the OpenAPI description', () => {
  let document: {
    openapi: string;
    paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: object }> }> } }>;
  };
  beforeAll(async () => {
    document = (await (await fetch(`${stack.gatewayUrl}/api/openapi.json`)).json()) as typeof document;
  });

  it('is a valid OpenAPI 3.1 document describing the route alone', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await validateOpenApi(structuredClone(document) as Parameters<typeof validateOpenApi>[0]);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(Object.keys(document.paths)).toEqual(['/api/ncr/{n}/{r}']);
  });

  it("passes Redocly's linter with its recommended rules: no error, no warning", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openapi-'));
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(document));
    const cli = require.resolve('@redocly/cli/bin/cli.js');
    const run = spawnSync(process.execPath, [cli, 'lint', file, '--extends', 'recommended', '--format', 'json'], {
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      timeout: 60_000,
    });
    await rm(dir, { recursive: true, force: true });
    const report = JSON.parse(run.stdout) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string }[];
    };
    expect(report.problems.map(({ ruleId, message }) => `${ruleId}: ${message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(run.status).toBe(0);
  }, 60_000);

  it('says what ncr is and which clients read it exactly', () => {
    const ok = document.paths['/api/ncr/{n}/{r}']!.get.responses['200']!.content;
    expect(JSON.stringify(ok['application/json'])).toContain('JSON.parse past 2^53');
    expect(ok['application/json;IEEE754Compatible=true']).toBeDefined();
  });

  it('matches real answers: both forms of a success, and each failure with its code', async () => {
    const ajv = new Ajv2020({ strict: false });
    const responses = document.paths['/api/ncr/{n}/{r}']!.get.responses;
    const check = async (path: string, init: RequestInit, status: string, mediaType: string) => {
      const response = await fetch(`${stack.gatewayUrl}${path}`, init);
      expect(String(response.status)).toBe(status);
      const schema = responses[status]!.content[mediaType]!.schema;
      const body: unknown = await response.json();
      expect([path, ajv.validate(schema, body) ? 'valid' : ajv.errorsText()]).toEqual([path, 'valid']);
    };
    await check('/api/ncr/100/50', {}, '200', 'application/json');
    await check('/api/ncr/100/50?ncr=string', {}, '200', 'application/json;IEEE754Compatible=true');
    await check('/api/ncr/3/10', {}, '400', 'application/json');
    await check('/api/ncr/abc/2', {}, '400', 'application/json');
  });
});

describe('compression', () => {
  const get = (path: string, encoding?: string) =>
    fetch(`${stack.gatewayUrl}${path}`, { headers: encoding ? { 'accept-encoding': encoding } : {} });
  const raw = async (path: string, encoding: string) => {
    // node:http, which does not decompress: the bytes as they travel.
    const { request } = await import('node:http');
    const url = new URL(`${stack.gatewayUrl}${path}`);
    return new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      request({ host: url.hostname, port: url.port, path, headers: { 'accept-encoding': encoding } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ encoding: response.headers['content-encoding'], body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
  };

  it.each([
    ['br', promisify(zlib.brotliDecompress)],
    ['gzip', promisify(zlib.gunzip)],
  ])('sends a 301,027-digit answer in %s, in well under half its size, decompressing to the identical body', async (encoding, inflate) => {
    const plain = Buffer.from(await (await get('/api/ncr/1000000/500000', 'identity')).arrayBuffer());
    const sent = await raw('/api/ncr/1000000/500000', encoding);
    expect(sent.encoding).toBe(encoding);
    expect(sent.body.length).toBeLessThan(0.5 * plain.length);
    expect((await inflate(sent.body)).equals(plain)).toBe(true);
  });

  it('compresses GraphQL answers too, and leaves small answers and clients that ask for none alone', async () => {
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' },
      body: JSON.stringify({ query: '{ ncr(n: 20000, r: 10000) }' }),
    });
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(((await response.json()) as { data: { ncr: string } }).data.ncr).toBe(binomial(20_000, 10_000).toString());
    expect((await raw('/api/ncr/10/3', 'gzip')).encoding).toBeUndefined();
    expect((await raw('/api/ncr/20000/10000', 'identity')).encoding).toBeUndefined();
  });
});

describe('CORS', () => {
  it('answers a preflight from another origin, as Apollo standalone does, with CSRF prevention still on', async () => {
    const preflight = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://calc.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/content-type/i);
    const post = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { origin: 'https://calc.example', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ ncr(n: 5, r: 2) }' }),
    });
    expect(post.headers.get('access-control-allow-origin')).toBe('*');
    expect(await post.json()).toEqual({ data: { ncr: '10' } });
    // A simple cross-site GET (no preflight, no JSON content type) is still refused by CSRF prevention.
    const simple = await fetch(`${stack.gatewayUrl}/graphql?query=%7B%20ncr(n%3A%205%2C%20r%3A%202)%20%7D`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(simple.status).toBe(400);
    expect(((await simple.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('lets only the origins CORS_ORIGINS lists, when it lists some', async () => {
    const listed = await startStack({ gateway: { corsOrigins: ['https://calc.example'] } });
    try {
      const ask = (origin: string) =>
        fetch(`${listed.gatewayUrl}/api/ncr/10/3`, { headers: { origin } }).then((r) => r.headers.get('access-control-allow-origin'));
      expect(await ask('https://calc.example')).toBe('https://calc.example');
      expect(await ask('https://other.example')).toBeNull();
    } finally {
      await listed.stop();
    }
  });
});

describe('the page a person opens', () => {
  it('says what this is at /, and links /graphql, /api/openapi.json and an example REST URL', async () => {
    const response = await fetch(`${stack.gatewayUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    for (const link of ['href="/graphql"', 'href="/api/openapi.json"', 'href="/api/ncr/52/5"']) expect(html).toContain(link);
    // Its form and script, which load nothing from elsewhere, and a policy that tells the browser so.
    expect(html).toContain('<form id="ncr-form"');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'.*connect-src 'self'/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const script = await fetch(`${stack.gatewayUrl}/assets/home.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain("document.getElementById('home-config')");
  });

  it('serves no GraphiQL in production, where Sandbox is not served either, and does not link it', async () => {
    expect((await fetch(`${stack.gatewayUrl}/graphiql`)).status).toBe(404);
    expect((await fetch(`${stack.gatewayUrl}/graphiql/assets/graphiql.min.js`)).status).toBe(404);
    expect(await (await fetch(`${stack.gatewayUrl}/`)).text()).not.toContain('/graphiql');
  });

  it('answers an unknown asset with 404 NOT_FOUND', async () => {
    const response = await fetch(`${stack.gatewayUrl}/assets/..%2Fpackage.json`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('NOT_FOUND');
  });
});

describe('refusals, counted and logged like every other', () => {
  const refusals = (code: string) => metricValue(stack.gatewayRegistry, 'graphql_errors_total', { code });

  it.each([
    ['/api/ncr/abc/2', 'n must be a non-negative integer in decimal digits (got n = "abc")'],
    ['/api/ncr/-1/0', 'n must be a non-negative integer (got n = -1)'],
  ])('counts the REST refusal of %s in graphql_errors_total and logs it with the request id', async (path, message) => {
    const before = await refusals('BAD_USER_INPUT');
    const response = await fetch(`${stack.gatewayUrl}${path}`, { headers: { 'x-request-id': `refused-${path.length}` } });
    expect(response.status).toBe(400);
    expect(await refusals('BAD_USER_INPUT')).toBe(before + 1);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'operation refused',
        request_id: `refused-${path.length}`,
        codes: ['BAD_USER_INPUT'],
        firstError: message,
      }),
    );
  });

  it('counts BAD_REQUEST answers: a malformed body, and a GET that CSRF prevention refuses', async () => {
    const before = await refusals('BAD_REQUEST');
    const malformed = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'malformed-1' },
      body: '{"query":',
    });
    expect(malformed.status).toBe(400);
    const csrf = await fetch(`${stack.gatewayUrl}/graphql?query=%7B__typename%7D`, { headers: { 'x-request-id': 'csrf-1' } });
    expect(csrf.status).toBe(400);
    expect(await refusals('BAD_REQUEST')).toBe(before + 2);
    for (const id of ['malformed-1', 'csrf-1']) {
      expect(lines).toContainEqual(expect.objectContaining({ msg: 'operation refused', request_id: id, codes: ['BAD_REQUEST'] }));
    }
  });
});
