// The gateway's data source against a real HTTP server on a real socket: what it sends, and what it makes of
// answers that are not a GraphQL response, of a client that leaves, and of a spent budget.

import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { GatewayContext } from './context';
import { SubgraphDataSource } from './data-source';
import { closeHttp, listenHttp } from '../../lib/http';
import { silentLogger } from '../../lib/observability';
import { Deadline } from '../../lib/request';
import { installPropagator } from '../../lib/observability';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

describe('SubgraphDataSource', () => {
  let answer: (request: IncomingMessage, body: string, response: ServerResponse) => void;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => answer(request, body, response));
  });
  let source: SubgraphDataSource;

  beforeAll(async () => {
    installPropagator(); // as every service does at start-up
    const port = await listenHttp(server, '127.0.0.1', 0);
    source = new SubgraphDataSource({ url: `http://127.0.0.1:${port}/graphql` });
  });
  afterAll(async () => {
    await source.close();
    server.closeAllConnections();
    await closeHttp(server);
  });

  const call = (deadline = new Deadline(Date.now() + 10_000), incomingRequestContext: object = {}) => {
    const traceContext = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: 'b7ad6b7169203331', traceFlags: 0 });
    const context: GatewayContext = { requestId: 'req-42', deadline, trace: { context: traceContext, logger: silentLogger } };
    const options = {
      kind: 'incoming operation',
      request: { query: 'query ($n: Int!) { factorial(n: $n) }', variables: { n: 5 }, operationName: undefined },
      incomingRequestContext,
      context,
    } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
    return source.process(options);
  };

  it('posts the operation with the request id, the time left before its deadline and a traceparent, and returns the response', async () => {
    let seen: { headers: IncomingMessage['headers']; body: unknown } | undefined;
    answer = (request, body, response) => {
      seen = { headers: request.headers, body: JSON.parse(body) };
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"factorial":"120"}}');
    };
    await expect(call()).resolves.toEqual({ data: { factorial: '120' } });
    expect(seen!.body).toMatchObject({ query: 'query ($n: Int!) { factorial(n: $n) }', variables: { n: 5 } });
    expect(seen!.headers['content-type']).toBe('application/json');
    expect(seen!.headers['x-request-id']).toBe('req-42');
    expect(Number(seen!.headers['x-request-timeout-ms'])).toBeGreaterThan(9_000);
    expect(Number(seen!.headers['x-request-timeout-ms'])).toBeLessThanOrEqual(10_000);
    expect(seen!.headers.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
  });

  it("restricts the operation's cache policy by the subgraph's Cache-Control, as RemoteGraphQLDataSource does", async () => {
    const hintsFor = async (cacheControl: string | undefined) => {
      answer = (_request, _body, response) => {
        response.writeHead(200, {
          'content-type': 'application/json',
          ...(cacheControl === undefined ? {} : { 'cache-control': cacheControl }),
        });
        response.end('{"data":{"factorial":"120"}}');
      };
      const hints: unknown[] = [];
      await call(undefined, { overallCachePolicy: { restrict: (hint: unknown) => hints.push(hint) } });
      return hints;
    };
    expect(await hintsFor('max-age=31536000, public')).toEqual([{ maxAge: 31536000, scope: 'PUBLIC' }]);
    expect(await hintsFor('private, max-age=60')).toEqual([{ maxAge: 60, scope: 'PRIVATE' }]);
    expect(await hintsFor('Max-Age = "300"')).toEqual([{ maxAge: 300 }]);
    // No max-age, no-store or no header at all: the whole answer becomes uncacheable.
    expect(await hintsFor('no-store')).toEqual([{ maxAge: 0 }]);
    expect(await hintsFor(undefined)).toEqual([{ maxAge: 0 }]);
    expect(await hintsFor('max-age=-5, public')).toEqual([{ maxAge: 0, scope: 'PUBLIC' }]);
  });

  it('turns a server error into SUBGRAPH_UNAVAILABLE naming the status, never an unexpected error', async () => {
    for (const status of [500, 502, 503]) {
      answer = (_request, _body, response) => response.writeHead(status, { 'content-type': 'text/plain' }).end('upstream gone');
      await expect(call()).rejects.toMatchObject({
        message: `the subgraph cannot be reached or failed (answered HTTP ${status}); retry later`,
        extensions: { code: 'SUBGRAPH_UNAVAILABLE' },
      });
    }
  });

  it('returns a GraphQL response whatever its status: a subgraph refuses a document with 400 and its coded errors', async () => {
    const refusal = { errors: [{ message: 'Aliases limit of 50 exceeded, found 51.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] };
    answer = (_request, _body, response) => response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(refusal));
    await expect(call()).resolves.toEqual(refusal);
  });

  it('refuses an answer that is not a GraphQL response with SUBGRAPH_UNAVAILABLE', async () => {
    for (const [status, body] of [
      [200, '<html>hello</html>'],
      [200, '[1, 2]'],
      [200, '{"hello":1}'],
      [404, 'not found'],
    ] as const) {
      answer = (_request, _body, response) => response.writeHead(status, { 'content-type': 'text/html' }).end(body);
      await expect(call()).rejects.toMatchObject({
        message: `the subgraph cannot be reached or failed (answered HTTP ${status} with something that is not a GraphQL response); retry later`,
        extensions: { code: 'SUBGRAPH_UNAVAILABLE' },
      });
    }
  });

  it('answers SUBGRAPH_UNAVAILABLE when nothing listens, and when the subgraph drops the connection', async () => {
    const closed = new SubgraphDataSource({ url: 'http://127.0.0.1:1/graphql' });
    const context: GatewayContext = {
      requestId: 'r',
      deadline: new Deadline(Date.now() + 5000),
      trace: { context: ROOT_CONTEXT, logger: silentLogger },
    };
    const options = {
      kind: 'incoming operation',
      request: { query: '{ a }' },
      incomingRequestContext: {},
      context,
    } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
    await expect(closed.process(options)).rejects.toMatchObject({
      extensions: { code: 'SUBGRAPH_UNAVAILABLE' },
      message: expect.stringContaining('ECONNREFUSED'),
    });
    await closed.close();
    answer = (request) => request.socket.destroy();
    await expect(call()).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE' } });
  });

  it('cuts a call off at the deadline with DEADLINE_EXCEEDED when the subgraph hangs', async () => {
    answer = () => {}; // never answers
    const started = Date.now();
    await expect(call(new Deadline(Date.now() + 200))).rejects.toMatchObject({
      message: "the request's time budget ran out",
      extensions: { code: 'DEADLINE_EXCEEDED' },
    });
    expect(Date.now() - started).toBeLessThan(1200);
  });

  it('cancels the call when the request ends early, and says so with DEADLINE_EXCEEDED', async () => {
    let closed!: () => void;
    const socketClosed = new Promise<void>((resolve) => (closed = resolve));
    answer = (request) => request.socket.once('close', closed); // never answers
    const deadline = new Deadline(Date.now() + 10_000);
    const pending = call(deadline);
    setTimeout(() => deadline.expire(), 100);
    await expect(pending).rejects.toMatchObject({ message: 'the request was cancelled', extensions: { code: 'DEADLINE_EXCEEDED' } });
    await socketClosed; // the subgraph sees the caller leave
  });

  it('makes no call once the deadline has passed', async () => {
    const answered = jest.fn();
    answer = (_request, _body, response) => {
      answered();
      response.writeHead(200).end('{}');
    };
    await expect(call(new Deadline(Date.now() - 1))).rejects.toMatchObject({ extensions: { code: 'DEADLINE_EXCEEDED' } });
    expect(answered).not.toHaveBeenCalled();
  });
});
