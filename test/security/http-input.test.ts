import { request } from 'node:http';
import fc from 'fast-check';
import { MAX_BODY_BYTES } from '../../src/teams/server';
import { MAX_WEBHOOK_BYTES } from '../../src/features/notify/webhook';
import { errorLogs } from '../integration/flows';
import { PEOPLE, startHarness, type Harness } from '../integration/harness';

jest.setTimeout(60_000);

/**
 * Hostile HTTP: oversized bodies are refused before they are parsed (a body that is not JSON at all gets 413,
 * not 400), whether its length is declared or streamed; and a sample of random activities over the wire
 * never produces a 500, an error log or a Graph write. The 10,000-case suites run below HTTP in test/property.
 */
let h: Harness;
beforeAll(async () => {
  // A hundred replies to one channel wait out Teams' 60-per-30-s window: on the harness's manual clock.
  h = await startHarness({ NOTIFY_WEBHOOK_SECRET: 'webhook-secret-http-input' });
});
afterAll(async () => {
  await h.close();
});

/** POSTs raw bytes; `chunked` streams them with no Content-Length. */
function post(path: string, body: Buffer, chunked: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: h.app.port,
        path,
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(body.length) }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    // The server may close the connection before reading everything: that is the point.
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? resolve(-1) : reject(err),
    );
    if (chunked) {
      for (let i = 0; i < body.length; i += 16 * 1024) req.write(body.subarray(i, i + 16 * 1024));
      req.end();
    } else req.end(body);
  });
}

describe('bodies over the limit are refused before parsing', () => {
  const notJson = (bytes: number) => Buffer.alloc(bytes, '{');

  it.each([
    ['/api/messages', MAX_BODY_BYTES + 1024, false],
    ['/api/messages', MAX_BODY_BYTES + 1024, true],
    ['/api/notifications', MAX_WEBHOOK_BYTES + 1024, false],
    ['/api/notifications', MAX_WEBHOOK_BYTES + 1024, true],
  ])('%s with %i bytes (chunked: %s) answers 413', async (path, bytes, chunked) => {
    const status = await post(path, notJson(bytes), chunked);
    // -1: the server closed the connection mid-upload, also a refusal without parsing.
    expect([413, -1]).toContain(status);
    expect(h.connector.requests).toHaveLength(0);
    expect(h.graph.requests).toHaveLength(0);
  });

  it('still parses a body just under the limit (400 for the broken JSON, not 413)', async () => {
    expect(await post('/api/messages', notJson(1024), false)).toBe(400);
  });
});

describe('random activities over HTTP', () => {
  it('never answer 500, never log an error, never write to Graph', async () => {
    const valueArb = fc.oneof(
      fc.anything(),
      fc.record({
        action: fc.record(
          { type: fc.string(), verb: fc.string(), data: fc.anything() },
          { requiredKeys: [] },
        ),
        authentication: fc.record({ token: fc.oneof(fc.string(), fc.anything()) }, { requiredKeys: [] }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(valueArb, fc.string({ maxLength: 200 }), async (value, text) => {
        const invoke = h.teams.buildInvoke({
          from: PEOPLE.ada,
          conversationId: '19:fakechannel@thread.tacv2;messageid=1',
          replyToId: '1',
          verb: 'approve',
          data: {},
        });
        (invoke as Record<string, unknown>).value = value;
        const clicked = await h.teams.raw(invoke);
        expect(clicked.status).toBeLessThan(500);
        const said = await h.teams.message({ from: PEOPLE.reggie, text });
        expect(said.status).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
    await h.app.approvals.drain();
    expect(h.graph.writes()).toHaveLength(0);
    expect(errorLogs(h)).toEqual([]);
  });
});
