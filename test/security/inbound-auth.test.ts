import { CONTOSO, FakeBotFramework } from '../fakes';
import { teamsClient, type InvokeBody } from '../integration/flows';
import { PEOPLE, startHarness, type Harness } from '../integration/harness';

jest.setTimeout(30_000);

/**
 * Inbound Bot Framework authentication with BOT_ID set: every POST to /api/messages must carry a channel
 * token signed by a key from the metadata at BOT_OPENID_METADATA_URL (here a loopback fake of
 * login.botframework.com), issued by https://api.botframework.com, for this bot, for this serviceUrl, unexpired.
 */
let h: Harness;
let bf: FakeBotFramework;
beforeEach(async () => {
  bf = await FakeBotFramework.start();
  h = await startHarness({
    BOT_ID: CONTOSO.botId,
    BOT_PASSWORD: 'bot-password-not-used-by-these-tests',
    BOT_OPENID_METADATA_URL: bf.metadataUrl,
    OAUTH_CONNECTION_NAME: 'approver-sign-in',
  });
});
afterEach(async () => {
  await h.close();
  await bf.close();
});

function token(overrides: Partial<Parameters<FakeBotFramework['issueChannelToken']>[0]> = {}): string {
  return bf.issueChannelToken({ audience: CONTOSO.botId, serviceUrl: h.connector.url, ...overrides });
}

/** Nothing reached the bot's logic: no lookup in Graph, no reply through the connector, no parsed command. */
function expectNothingProcessed(): void {
  expect(h.graph.requests).toHaveLength(0);
  expect(h.connector.requests).toHaveLength(0);
  expect(h.logs.join('')).not.toContain('command parsed');
}

const COMMAND = 'retry-provisioning alice@contoso.com';

/**
 * What botframework-connector's own JWT extractor still prints to the console (an expired token's error, and a
 * line about the key for a bad signature); the adapter prints nothing of its own.
 */
const LIBRARY_PRINTS = 1;

it.each<[string, () => string | undefined, number]>([
  ['no Authorization header', () => undefined, 0],
  ['a forged signature', () => `Bearer ${token({ signWith: 'foreign' })}`, LIBRARY_PRINTS],
  ['an expired token', () => `Bearer ${token({ expiresInSec: -3600 })}`, LIBRARY_PRINTS],
  [
    'a token for another bot',
    () => `Bearer ${token({ audience: '00000000-0000-4000-8000-0000000000ff' })}`,
    0,
  ],
  ['a token from another issuer', () => `Bearer ${token({ issuer: 'https://sts.windows.net/evil/' })}`, 0],
  ['a token for another serviceUrl', () => `Bearer ${token({ serviceUrl: 'https://evil.example.com' })}`, 0],
  ['a token that is not a JWT', () => 'Bearer not-a-jwt', 0],
  ['a Basic header', () => 'Basic dXNlcjpwYXNz', 0],
])('refuses %s with 401, processes nothing, and logs it once as JSON', async (_what, header, prints) => {
  const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const value = header();
    const client = teamsClient(h, value === undefined ? {} : { authorization: value });
    const res = await client.message({ from: PEOPLE.reggie, text: COMMAND });
    expect(res.status).toBe(401);
    expectNothingProcessed();
    expect(printed).toHaveBeenCalledTimes(prints);
    const refusals = h.logs.filter((l) => l.includes('refused an inbound activity'));
    expect(refusals).toHaveLength(1);
    expect(JSON.parse(refusals[0] ?? '{}')).toMatchObject({
      level: 40,
      hasAuthorization: value !== undefined,
    });
    if (value) expect(refusals[0]).not.toContain(value.replace(/^\w+ /, ''));
  } finally {
    printed.mockRestore();
  }
});

it('accepts a valid channel token: the invoke is processed and answered in the HTTP response', async () => {
  const client = teamsClient(h, { authorization: () => `Bearer ${token()}` });
  const res = await client.invoke({
    from: PEOPLE.ada,
    conversationId: '19:fakechannel@thread.tacv2;messageid=1700000000001',
    replyToId: '1700000000001',
    verb: 'approve',
    data: { rid: 'AAAAAAAAAAAAAAAAAAAAAA' },
  });
  expect(res.status).toBe(200);
  const body = res.body as InvokeBody;
  expect(body.statusCode).toBe(200);
  expect(body.type).toBe('application/vnd.microsoft.activity.message');
  expect(String(body.value)).toMatch(/request the bot does not know/);
});
