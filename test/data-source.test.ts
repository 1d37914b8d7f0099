// The gateway's data source against a real HTTP server on a real socket: what it sends, and what it makes of
// answers that are not a GraphQL response, of a client that leaves, and of a spent budget.

import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { GatewayContext } from '../gateway/src/context';
import { SubgraphDataSource } from '../gateway/src/data-source';
import { closeHttp, listenHttp } from '../lib/listen';
import { silentLogger } from '../lib/logger';
import { RequestLifetime } from '../lib/request-budget';
import { installPropagator } from '../lib/telemetry';

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

  const call = (lifetime = new RequestLifetime(Date.now() + 10_000)) => {
    const traceContext = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: 'b7ad6b7169203331', traceFlags: 0 });
    const context: GatewayContext = { requestId: 'req-42', lifetime, trace: { context: traceContext, logger: silentLogger } };
    const options = {
      kind: 'incoming operation',
      request: { query: 'query ($n: Int!) { factorial(n: $n) }', variables: { n: 5 }, operationName: undefined },
      incomingRequestContext: {},
      context,
    } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
    return source.process(options);
  };

  it('posts the operation with the request id, the budget left and a traceparent, and returns the response', async () => {
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

  it('turns a non-2xx answer into an error naming the status, with the body', async () => {
    answer = (_request, _body, response) => response.writeHead(502, { 'content-type': 'text/plain' }).end('upstream gone');
    await expect(call()).rejects.toMatchObject({
      message: '502: Bad Gateway',
      extensions: { response: { status: 502, statusText: 'Bad Gateway', body: 'upstream gone' } },
    });
  });

  it('refuses a 2xx answer that is not a JSON object', async () => {
    answer = (_request, _body, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
    await expect(call()).rejects.toThrow(/Expected JSON response body, but received: <html>hello<\/html>/);
    answer = (_request, _body, response) => response.writeHead(200).end('[1, 2]');
    await expect(call()).rejects.toThrow(/Expected JSON response body/);
  });

  it('cancels the call when the request ends early, and says so with DEADLINE_EXCEEDED', async () => {
    let closed!: () => void;
    const socketClosed = new Promise<void>((resolve) => (closed = resolve));
    answer = (request) => request.socket.once('close', closed); // never answers
    const lifetime = new RequestLifetime(Date.now() + 10_000);
    const pending = call(lifetime);
    setTimeout(() => lifetime.end(), 100);
    await expect(pending).rejects.toMatchObject({ message: 'the request was cancelled', extensions: { code: 'DEADLINE_EXCEEDED' } });
    await socketClosed; // the subgraph sees the caller leave
  });

  it('makes no call once the budget is spent', async () => {
    const answered = jest.fn();
    answer = (_request, _body, response) => {
      answered();
      response.writeHead(200).end('{}');
    };
    await expect(call(new RequestLifetime(Date.now() - 1))).rejects.toMatchObject({ extensions: { code: 'DEADLINE_EXCEEDED' } });
    expect(answered).not.toHaveBeenCalled();
  });
});
