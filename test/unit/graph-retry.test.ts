import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback, readBody, trackSockets } from '../fakes/fake-http';
import { loadTestTls } from '../fakes/tls';
import { createGraphApi, type SharedGraphApi } from '../../src/infra/graph/graph-api';
import { GraphFailure } from '../../src/infra/graph/graph-failure';
import { DEFAULT_GRAPH_RETRY, mayRetry } from '../../src/infra/graph/graph-retry';

/**
 * Graph calls through the Graph client's own fetch and our retry middleware, against a loopback https server
 * whose certificate the process trusts only through NODE_EXTRA_CA_CERTS: what goes out, what a timeout, a
 * refused or a reset connection mean, and when Retry-After is waited for. Sleeps are recorded, never waited.
 */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Answer = (req: IncomingMessage, res: ServerResponse) => void;

/** Answers JSON; writeHead's result is not chained, as restify (loaded by other suites) patches it to return nothing. */
function json(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
}

const NOW = Date.parse('2026-11-22T12:00:00Z');
/** An attempt's timeout where one is meant to lapse: real time, with room for a TLS handshake on a busy machine. */
const TIMEOUT_MS = 500;
let server: Server;
let sockets: ReturnType<typeof trackSockets>;
let base: string;
let seen: Seen[];
let answer: Answer;
let sleeps: number[];

beforeEach(async () => {
  seen = [];
  sleeps = [];
  answer = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'rid-1' });
    res.end('{"ok":true}');
  };
  server = createServer(loadTestTls(), (req, res) => {
    void readBody(req).then((body) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      answer(req, res);
    });
  });
  sockets = trackSockets(server);
  base = `https://127.0.0.1:${await listenOnLoopback(server)}`;
});
afterEach(async () => {
  await closeServer(server, sockets);
});

function graph(timeoutMs = 30_000, url = base): SharedGraphApi {
  const slept = sleeps; // this test's record, even for a retry still running after it
  return createGraphApi({
    baseUrl: url,
    token: async () => 'token-1',
    retry: {
      timeoutMs,
      sleep: async (ms) => {
        slept.push(ms);
      },
      now: () => NOW,
      random: () => 0.5,
    },
  });
}

async function failureOf(call: Promise<unknown>): Promise<GraphFailure> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof GraphFailure)) throw new Error(`expected a GraphFailure, got ${String(err)}`);
  return err;
}

describe('requests through the Graph client’s fetch', () => {
  it('reads over https trusted through NODE_EXTRA_CA_CERTS, with the token and the correlation id', async () => {
    const body = await graph()
      .withCorrelationId('corr-1')
      .get('/users/a@b', { query: { $select: 'id' } });
    expect(body).toEqual({ ok: true });
    expect(seen).toEqual([
      expect.objectContaining({ method: 'GET', url: '/v1.0/users/a@b?$select=id', body: '' }),
    ]);
    expect(seen[0]?.headers['authorization']).toBe('Bearer token-1');
    expect(seen[0]?.headers['client-request-id']).toBe('corr-1');
  });

  it('posts a JSON body with its type, and an action without parameters with neither', async () => {
    answer = (_req, res) => {
      res.writeHead(204, { 'request-id': 'rid-2', date: 'Sun, 22 Nov 2026 12:00:00 GMT' });
      res.end();
    };
    const api = graph();
    const withBody = await api.post('/x', { a: 'é' }, { version: 'beta' });
    await api.post('/y', undefined);
    expect(withBody).toEqual({
      status: 204,
      body: undefined,
      requestId: 'rid-2',
      date: 'Sun, 22 Nov 2026 12:00:00 GMT',
    });
    expect(seen.map((s) => [s.method, s.url, s.body, s.headers['content-type']])).toEqual([
      ['POST', '/beta/x', '{"a":"é"}', 'application/json'],
      ['POST', '/v1.0/y', '', undefined],
    ]);
  });
});

describe('timeouts', () => {
  it('times out a write whose body stalls after the headers, once: its outcome is unknown', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
    };
    const failure = await failureOf(graph(TIMEOUT_MS).post('/x', {}));
    expect([failure.status, failure.code]).toEqual([0, 'Timeout']);
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('repeats a read whose first answer never came, and answers from the second', async () => {
    answer = (_req, res) => {
      if (seen.length > 1) json(res, '{"ok":2}');
    };
    await expect(graph(TIMEOUT_MS).get('/x')).resolves.toEqual({ ok: 2 });
    expect(seen).toHaveLength(2);
    expect(sleeps).toEqual([750]);
  });
});

describe('network failures', () => {
  it('repeats a write the server never received (connection refused), then says why it failed', async () => {
    const closed = base;
    await closeServer(server, sockets);
    const failure = await failureOf(graph(30_000, closed).post('/x', {}));
    expect(failure.code).toBe('NetworkError');
    expect(failure.message).toMatch(/could not be reached: .*ECONNREFUSED/);
    expect(sleeps).toHaveLength(DEFAULT_GRAPH_RETRY.maxRetries);
  });

  it('does not repeat a write whose connection was reset after it left: it may have run', async () => {
    answer = (req) => req.socket.destroy();
    const failure = await failureOf(graph().post('/x', {}));
    expect(failure.code).toBe('NetworkError');
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('repeats a read whose connection was reset', async () => {
    answer = (req, res) => (seen.length === 1 ? req.socket.destroy() : json(res, '{"ok":2}'));
    await expect(graph().get('/x')).resolves.toEqual({ ok: 2 });
    expect(seen).toHaveLength(2);
  });
});

describe('Retry-After', () => {
  it.each([
    ['delay-seconds', '3', 3000],
    ['an HTTP-date, read against the injected clock', 'Sun, 22 Nov 2026 12:00:04 GMT', 4000],
  ])('waits out a write’s 503 with Retry-After as %s, then sends it again', async (_what, header, ms) => {
    answer = (_req, res) => {
      if (seen.length === 1) res.writeHead(503, { 'retry-after': header });
      else res.writeHead(204);
      res.end();
    };
    const result = await graph().post('/x', {});
    expect(result.status).toBe(204);
    expect(sleeps).toEqual([ms]);
  });

  it('gives up at once on a Retry-After longer than it waits in-line, with Graph’s answer', async () => {
    answer = (_req, res) => {
      res.writeHead(429, { 'retry-after': '3600', 'content-type': 'application/json' });
      res.end('{"error":{"code":"TooManyRequests","message":"Slow down."}}');
    };
    const failure = await failureOf(graph().post('/x', {}));
    expect([failure.status, failure.code]).toEqual([429, 'TooManyRequests']);
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe('mayRetry', () => {
  it.each([
    ['GET', 0, 'ECONNRESET', true],
    ['GET', 0, 'TIMEOUT', true],
    ['GET', 429, undefined, true],
    ['GET', 500, undefined, true],
    ['GET', 502, undefined, true],
    ['GET', 503, undefined, true],
    ['GET', 504, undefined, true],
    ['GET', 501, undefined, false],
    ['POST', 429, undefined, true],
    ['POST', 503, undefined, true],
    ['POST', 0, 'ECONNREFUSED', true],
    ['POST', 0, 'ECONNRESET', false],
    ['POST', 0, 'UND_ERR_SOCKET', false],
    ['POST', 0, 'TIMEOUT', false],
    ['POST', 500, undefined, false],
    ['POST', 502, undefined, false],
    ['POST', 504, undefined, false],
  ])('%s answered %i (%s) → %s', (method, status, code, expected) => {
    expect(mayRetry(method, status, code)).toBe(expected);
  });
});
