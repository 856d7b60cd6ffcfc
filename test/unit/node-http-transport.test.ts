import type { Context, FetchOptions } from '@microsoft/microsoft-graph-client';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { closeServer, listenOnLoopback, readBody, trackSockets } from '../fakes/fake-http';
import { loadTestTls } from '../fakes/tls';
import { NodeHttpTransport } from '../../src/graph/node-http-transport';
import { DEFAULT_GRAPH_RETRY, GraphRetryHandler, GraphTimeoutError } from '../../src/graph/graph-retry';

/**
 * The Graph client's transport on node:http(s): what it sends, the Response it builds, and how its failures
 * reach the retry middleware (a refused connection may repeat a write; a reset one may not; a stalled body
 * times out). Servers are real loopback sockets; the retry middleware's sleep is recorded, never waited.
 */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Answer = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let sockets: ReturnType<typeof trackSockets>;
let base: string;
let seen: Seen[];
let answer: Answer;
let transport: NodeHttpTransport;

async function serve(
  make: (handler: (req: IncomingMessage, res: ServerResponse) => void) => Server,
  scheme: string,
) {
  server = make((req, res) => {
    void readBody(req).then((body) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      answer(req, res);
    });
  });
  sockets = trackSockets(server);
  base = `${scheme}://127.0.0.1:${await listenOnLoopback(server)}`;
}

beforeEach(() => {
  seen = [];
  answer = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'rid-1' });
    res.end('{"ok":true}');
  };
  transport = new NodeHttpTransport();
});
afterEach(async () => {
  transport.destroy();
  await closeServer(server, sockets);
});

function context(path: string, options: Context['options'] = {}): Context {
  return { request: `${base}${path}`, options };
}

async function send(ctx: Context): Promise<Response> {
  await transport.execute(ctx);
  if (!ctx.response) throw new Error('no response');
  return ctx.response;
}

describe('over http and https', () => {
  it.each([
    ['http', (h: Answer) => createHttpServer(h)],
    ['https', (h: Answer) => createHttpsServer(loadTestTls(), h)],
  ])('%s: sends method, path and headers, answers a Response with body and headers', async (scheme, make) => {
    await serve(make, scheme);
    const res = await send(
      context('/v1.0/users/a%40b?$select=id', { method: 'get', headers: { 'x-one': '1' } }),
    );
    expect(seen).toEqual([
      expect.objectContaining({ method: 'GET', url: '/v1.0/users/a%40b?$select=id', body: '' }),
    ]);
    expect(seen[0]?.headers['x-one']).toBe('1');
    expect(res.status).toBe(200);
    expect(res.headers.get('request-id')).toBe('rid-1');
    expect(await res.json()).toEqual({ ok: true });
  });
});

describe('requests', () => {
  beforeEach(async () => {
    await serve((h) => createHttpServer(h), 'http');
  });

  it.each([
    ['a plain object', { 'x-a': 'one', 'x-b': 'two' }],
    ['a Headers', new Headers({ 'x-a': 'one', 'x-b': 'two' })],
    [
      'pairs',
      [
        ['x-a', 'one'],
        ['x-b', 'two'],
      ] as [string, string][],
    ],
  ])('takes headers given as %s', async (_what, headers) => {
    await send(context('/h', { headers }));
    expect([seen[0]?.headers['x-a'], seen[0]?.headers['x-b']]).toEqual(['one', 'two']);
  });

  it.each([
    ['a string', '{"a":"é"}'],
    ['a Buffer', Buffer.from('{"a":"é"}')],
    ['a Uint8Array view', new Uint8Array(Buffer.from('xx{"a":"é"}')).subarray(2)],
    ['an ArrayBuffer', new Uint8Array(Buffer.from('{"a":"é"}')).buffer],
  ])('sends a body given as %s with its byte length', async (_what, body) => {
    await send(context('/b', { method: 'POST', body: body as FetchOptions['body'] }));
    expect(seen[0]?.body).toBe('{"a":"é"}');
    expect(seen[0]?.headers['content-length']).toBe(String(Buffer.byteLength('{"a":"é"}')));
  });

  it('refuses a Request object and a streamed body instead of sending something else', async () => {
    await expect(transport.execute({ request: new Request(`${base}/r`), options: {} })).rejects.toThrow(
      /URL string only/,
    );
    await expect(
      transport.execute(
        context('/s', { method: 'POST', body: new ReadableStream() as unknown as FetchOptions['body'] }),
      ),
    ).rejects.toThrow(/string and byte bodies only/);
    expect(seen).toEqual([]);
  });
});

describe('responses', () => {
  beforeEach(async () => {
    await serve((h) => createHttpServer(h), 'http');
  });

  it.each([
    [204, null],
    [202, ''],
    [429, '{"error":{"code":"TooManyRequests"}}'],
  ])('answers %s with its body', async (status, body) => {
    answer = (_req, res) => {
      res.writeHead(status, { 'retry-after': '3' });
      res.end(body ?? undefined);
    };
    const res = await send(context('/x'));
    expect(res.status).toBe(status);
    expect(res.headers.get('retry-after')).toBe('3');
    if (body === null) expect(res.body).toBeNull();
    else expect(await res.text()).toBe(body);
  });

  it.each([
    ['json', (r: Response) => r.json(), { ok: true }],
    ['text', (r: Response) => r.text(), '{"ok":true}'],
    ['arrayBuffer', async (r: Response) => Buffer.from(await r.arrayBuffer()).toString(), '{"ok":true}'],
    ['blob', async (r: Response) => (await r.blob()).text(), '{"ok":true}'],
    ['body (a stream)', (r: Response) => new Response(r.body).text(), '{"ok":true}'],
  ])('reads the body once as %s, like fetch', async (_how, read, expected) => {
    const res = await send(context('/x'));
    expect(res.bodyUsed).toBe(false);
    await expect(read(res)).resolves.toEqual(expected);
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
  });

  it('keeps repeated headers', async () => {
    answer = (_req, res) => {
      res.setHeader('x-many', ['a', 'b']);
      res.end();
    };
    const res = await send(context('/x'));
    expect(res.headers.get('x-many')).toBe('a, b');
  });

  it('reuses one connection across requests', async () => {
    await send(context('/1'));
    await send(context('/2'));
    await send(context('/3'));
    expect(seen).toHaveLength(3);
    expect(sockets.size).toBe(1);
  });
});

describe('failures, as the retry middleware sees them', () => {
  function retrying(timeoutMs = 30_000) {
    const sleeps: number[] = [];
    const handler = new GraphRetryHandler({
      ...DEFAULT_GRAPH_RETRY,
      timeoutMs,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
    });
    handler.setNext(transport);
    return { handler, sleeps };
  }

  it('repeats a write the server never received (connection refused), then gives up with the code', async () => {
    await serve((h) => createHttpServer(h), 'http');
    const closedPort = base;
    await closeServer(server, sockets);
    const { handler, sleeps } = retrying();
    const err = await handler
      .execute({ request: `${closedPort}/v1.0/x`, options: { method: 'POST', body: '{}' } })
      .catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
    expect(sleeps).toHaveLength(DEFAULT_GRAPH_RETRY.maxRetries);
  });

  it('does not repeat a write whose connection was reset: it may have run', async () => {
    await serve((h) => createHttpServer(h), 'http');
    answer = (req) => req.socket.destroy();
    const { handler, sleeps } = retrying();
    const err = await handler
      .execute({ request: `${base}/v1.0/x`, options: { method: 'POST', body: '{}' } })
      .catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ECONNRESET');
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('times out an attempt whose body stalls after the headers', async () => {
    await serve((h) => createHttpServer(h), 'http');
    answer = (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
    };
    const { handler } = retrying(50);
    const ctx: Context = { request: `${base}/v1.0/x`, options: { method: 'POST', body: '{}' } };
    await expect(handler.execute(ctx)).rejects.toBeInstanceOf(GraphTimeoutError);
    expect(seen).toHaveLength(1);
  });

  it('does not send at all when the signal is already aborted', async () => {
    await serve((h) => createHttpServer(h), 'http');
    const controller = new AbortController();
    controller.abort(new Error('gave up'));
    await expect(transport.execute(context('/x', { signal: controller.signal }))).rejects.toThrow('gave up');
    expect(seen).toEqual([]);
  });
});
