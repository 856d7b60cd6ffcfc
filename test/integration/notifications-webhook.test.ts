import { CONTOSO } from '../fakes';
import { cardActions, cardText } from './card-helpers';
import { PEOPLE, startHarness, type Harness } from './harness';
import {
  CHANNEL,
  cardsIn,
  lastPost,
  postWebhook,
  remediate,
  say,
  signedHeaders,
} from './notifications-helpers';

jest.setTimeout(30_000);

const SECRET = 'webhook-secret-for-tests';

let h: Harness;

beforeEach(async () => {
  h = await startHarness({ NOTIFY_WEBHOOK_SECRET: SECRET });
});
afterEach(async () => {
  await h.close();
});

const EVENT = {
  kind: 'user-provisioning',
  targetId: CONTOSO.users.alice,
  targetName: 'Alice Smith',
  error: {
    code: 'SIEM-ExchangeProvisioning',
    message: 'Exchange reported a proxy address conflict for Alice.',
  },
};

function send(body: unknown, headers?: Record<string, string>) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return postWebhook(h.app.port, text, headers ?? signedHeaders(SECRET, text, h.clock.now()));
}

async function nextCard(conversationId: string, count: number) {
  await h.connector.waitFor(() => cardsIn(h, conversationId).length >= count);
  return cardsIn(h, conversationId);
}

describe('POST /api/notifications', () => {
  it('accepts a signed event, posts it to subscribed conversations once, and its Remediate opens the confirmation', async () => {
    await say(h, 'subscribe user-provisioning');
    const res = await send(EVENT);
    expect(res).toEqual({ status: 202, body: { accepted: true } });
    const cards = await nextCard(CHANNEL, 1);
    const text = cardText(cards[0]);
    expect(text).toContain('SIEM-ExchangeProvisioning');
    expect(text).toContain('Exchange reported a proxy address conflict for Alice.');
    expect(text).toContain('Reported by an external monitor');
    expect(Object.keys(cardActions(cards[0])[0]?.data ?? {})).toEqual(['fid']);

    const again = await send(EVENT);
    expect(again.status).toBe(202);
    await h.app.notifications.webhook?.drain();
    expect(cardsIn(h, CHANNEL)).toHaveLength(1);

    const answer = await remediate(h, lastPost(h, CHANNEL));
    expect(cardText(answer.value)).toMatch(/Retry service provisioning for Alice Smith/);
  });

  it('without the monitor, sweeps hourly: an alert is forgotten 30 days after its failure went quiet', async () => {
    expect(h.clock.repeating.map((r) => r.ms)).toEqual([3_600_000]);
    await say(h, 'subscribe user-provisioning');
    await send(EVENT);
    await nextCard(CHANNEL, 1);
    const alert = lastPost(h, CHANNEL);
    const fid = cardActions(alert.card)[0]?.data['fid'];
    const ledger = h.app.notifications.ledger;
    expect(await ledger.notice(fid)).toBeDefined();

    h.clock.advance(31 * 24 * 3_600_000);
    h.clock.fire();
    // The sweep runs on its own once fired: wait for it through the store, a bounded number of turns.
    for (let turn = 0; turn < 1_000 && (await ledger.notice(fid)) !== undefined; turn++) {
      await new Promise((next) => setImmediate(next));
    }
    expect(await ledger.notice(fid)).toBeUndefined();
    const answer = await remediate(h, alert);
    expect(String(answer.value)).toMatch(/^The bot no longer keeps this alert/);
  });

  it('accepts the bare hex signature as well as sha256=<hex>', async () => {
    await say(h, 'subscribe sync');
    const body = JSON.stringify({
      kind: 'sync',
      targetId: CONTOSO.users.bob,
      servicePrincipalId: CONTOSO.apps.salesforce,
      jobId: 'salesforce.a1b2c3',
      error: { code: 'HRMismatch', message: 'Bob is missing in Salesforce.' },
    });
    const res = await postWebhook(h.app.port, body, signedHeaders(SECRET, body, h.clock.now(), false));
    expect(res.status).toBe(202);
    const cards = await nextCard(CHANNEL, 1);
    expect(cardText(cards[0])).toContain(
      `provision-on-demand ${CONTOSO.users.bob} --app ${CONTOSO.apps.salesforce} --job salesforce.a1b2c3`,
    );
  });

  it('posts to the conversation an event names, and refuses one where the bot is not installed', async () => {
    await h.teams.installationUpdate({ action: 'add', from: PEOPLE.ada, conversationType: 'groupChat' });
    const res = await send({ ...EVENT, conversationId: '19:fakegroupchat@thread.v2' });
    expect(res.status).toBe(202);
    await nextCard('19:fakegroupchat@thread.v2', 1);
    const unknown = await send({ ...EVENT, conversationId: '19:nowhere@thread.v2' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'UnknownConversation', field: 'conversationId' } });
  });

  it.each([
    [
      'a wrong signature',
      () => ({ 'x-timestamp': ts(0), 'x-signature': `sha256=${'0'.repeat(64)}` }),
      'BadSignature',
    ],
    [
      'a signature made with another secret',
      () => signedHeaders('other-secret', body(), now()),
      'BadSignature',
    ],
    [
      'a timestamp six minutes old',
      () => signedHeaders(SECRET, body(), now() - 6 * 60_000),
      'StaleTimestamp',
    ],
    [
      'a timestamp six minutes ahead',
      () => signedHeaders(SECRET, body(), now() + 6 * 60_000),
      'StaleTimestamp',
    ],
    ['no signature headers', () => ({}), 'MissingHeaders'],
    [
      'a timestamp in milliseconds',
      () => ({ ...signedHeaders(SECRET, body(), now()), 'x-timestamp': String(now()) }),
      'BadTimestamp',
    ],
  ])('refuses %s with 401 and posts nothing', async (_name, headers, code) => {
    await say(h, 'subscribe all');
    const res = await postWebhook(h.app.port, body(), headers());
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code } });
    await h.app.notifications.webhook?.drain();
    expect(cardsIn(h, CHANNEL)).toHaveLength(0);
  });

  it('refuses a signed body over the window even when the signature matches the old timestamp (replay)', async () => {
    const text = body();
    const headers = signedHeaders(SECRET, text, h.clock.now());
    expect((await postWebhook(h.app.port, text, headers)).status).toBe(202);
    h.clock.advance(5 * 60_000 + 1000);
    expect((await postWebhook(h.app.port, text, headers)).status).toBe(401);
  });

  it.each([
    ['invalid JSON', '{"kind":', '(body)'],
    ['an unknown kind', JSON.stringify({ ...EVENT, kind: 'printer' }), 'kind'],
    ['a missing error code', JSON.stringify({ ...EVENT, error: { message: 'x' } }), 'error.code'],
    [
      'a target id that is not an identifier',
      JSON.stringify({ ...EVENT, targetId: 'alice --app evil' }),
      'targetId',
    ],
    ['a sync event without its app', JSON.stringify({ ...EVENT, kind: 'sync' }), 'servicePrincipalId'],
    ['a bad occurredAt', JSON.stringify({ ...EVENT, occurredAt: 'yesterday' }), 'occurredAt'],
  ])('refuses %s with 400 naming the field', async (_name, text, field) => {
    const res = await postWebhook(h.app.port, text, signedHeaders(SECRET, text, h.clock.now()));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'InvalidBody', field } });
  });

  it('refuses a body over 64 KB with 413 before verifying or parsing it', async () => {
    const big = JSON.stringify({ ...EVENT, padding: 'x'.repeat(70 * 1024) });
    const res = await postWebhook(h.app.port, big, signedHeaders(SECRET, big, h.clock.now()));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: { code: 'PayloadTooLarge' } });
    expect(h.logs.join('')).not.toMatch(/notification webhook (refused|accepted)/);
  });

  it('stops reading a chunked body as soon as it passes 64 KB', async () => {
    const big = JSON.stringify({ ...EVENT, padding: 'x'.repeat(200 * 1024) });
    const res = await postWebhook(h.app.port, big, signedHeaders(SECRET, big, h.clock.now()), true);
    expect(res.status).toBe(413);
  });

  it('is off (404) when NOTIFY_WEBHOOK_SECRET is unset', async () => {
    await h.close();
    h = await startHarness({});
    const text = body();
    const res = await postWebhook(h.app.port, text, signedHeaders(SECRET, text, h.clock.now()));
    expect(res.status).toBe(404);
  });
});

function now(): number {
  return h.clock.now();
}

function ts(offsetMs: number): string {
  return String(Math.floor((now() + offsetMs) / 1000));
}

function body(): string {
  return JSON.stringify(EVENT);
}
