import { request } from 'node:http';
import { CONTOSO, FakeConnector } from '../fakes';
import { teamsClient } from './flows';
import { PEOPLE, startHarness, type Harness } from './harness';

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('server in local mode', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers the health probe', async () => {
    const res = await get(h.app.port, '/healthz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
  });

  it('warns loudly that inbound authentication is off', () => {
    const warning = h.logs
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => /LOCAL MODE/.test(l.msg));
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toMatch(/authentication is OFF/);
  });
});

describe('replies from several service URLs', () => {
  let h: Harness;
  let other: FakeConnector;
  beforeEach(async () => {
    h = await startHarness();
    other = await FakeConnector.start({});
  });
  afterEach(async () => {
    await h.close();
    await other.close();
  });

  it('answers each turn at the service URL its activity came from, though connector clients are kept across turns', async () => {
    const here = teamsClient(h);
    const there = teamsClient(h, { serviceUrl: other.url });
    const turns = [here, there, here, there];
    const ids: string[] = [];
    for (const client of turns) {
      const res = await client.message({ from: PEOPLE.reggie, text: 'help' });
      expect(res.status).toBe(200);
      ids.push(String(res.activity.id));
    }
    const repliedTo = (c: FakeConnector) =>
      c.requests.filter((r) => r.kind === 'reply').map((r) => r.activityId);
    expect(repliedTo(h.connector)).toEqual([ids[0], ids[2]]);
    expect(repliedTo(other)).toEqual([ids[1], ids[3]]);
  });
});

describe('server with BOT_ID set', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({
      BOT_ID: CONTOSO.botId,
      BOT_PASSWORD: 'bot-secret',
      OAUTH_CONNECTION_NAME: 'approver-sign-in',
    });
  });
  afterEach(async () => {
    await h.close();
  });

  it('refuses an activity without a Bot Framework token and processes nothing', async () => {
    // botbuilder prints what its adapter catches to the console; a refusal must not get that far.
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const res = await h.teams.message({ from: PEOPLE.reggie, text: 'retry-provisioning alice@contoso.com' });
    const calls = printed.mock.calls.length;
    printed.mockRestore();
    expect(calls).toBe(0);
    expect(h.logs.filter((l) => l.includes('refused an inbound activity'))).toHaveLength(1);
    expect(res.status).toBe(401);
    expect(h.connector.requests).toHaveLength(0);
    expect(h.graph.requests).toHaveLength(0);
    expect(h.logs.some((l) => /LOCAL MODE/.test(l))).toBe(false);
  });
});

describe('card sign-in settings', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({
      OAUTH_CONNECTION_NAME: 'entra-sso',
      AAD_APP_ID_URI: 'api://contoso.example/fixer',
    });
  });
  afterEach(async () => {
    await h.close();
  });

  it('names the configured OAuth connection and Application ID URI in the loginRequest', async () => {
    const res = await h.teams.message({ from: PEOPLE.reggie, text: 'retry-provisioning alice@contoso.com' });
    const rec = await h.connector.waitFor(
      (r) => r.kind === 'reply' && r.activityId === String(res.activity.id),
    );
    const card = (rec.body as { attachments: Array<{ content: unknown }> }).attachments[0]?.content;
    const rid = JSON.stringify(card).match(/"rid":"([A-Za-z0-9_-]{22})"/)?.[1];
    const login = await h.teams.invoke({
      from: PEOPLE.ada,
      conversationId: String(rec.conversationId),
      replyToId: String(rec.newId),
      verb: 'approve',
      data: { rid },
    });
    expect(login.body).toMatchObject({
      statusCode: 401,
      value: { connectionName: 'entra-sso', tokenExchangeResource: { uri: 'api://contoso.example/fixer' } },
    });
  });
});
