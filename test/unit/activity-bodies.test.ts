import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity, ConversationParameters } from 'botbuilder';
import { ConnectorClient, MicrosoftAppCredentials } from 'botframework-connector';
import { sendActivitiesAsJson } from '../../src/bot/activity-bodies';

/**
 * Activities leave as the JSON they are, without the connector client's schema walk. What must hold: the
 * connector receives the same message either way (dates as ISO strings, channel data, mentions, cards), at
 * the same URL; what the schema has no property for is no longer dropped; other operations are untouched.
 */
interface Received {
  method: string;
  url: string;
  body: unknown;
}

let server: Server;
let baseUri: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as unknown,
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `sent-${received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
});

beforeEach(() => {
  received.length = 0;
});

const client = () => new ConnectorClient(new MicrosoftAppCredentials('', ''), { baseUri });

const CONVERSATION = '19:abc@thread.tacv2;messageid=1700000000001';

const reply: Partial<Activity> = {
  type: 'message',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  channelId: 'msteams',
  timestamp: new Date('2026-11-23T10:00:00.123Z'),
  from: { id: '28:bot', name: 'Provisioning Fixer' },
  recipient: { id: '29:reggie', name: 'Reggie', aadObjectId: 'a0000000-0000-4000-8000-00000000000b' },
  conversation: {
    id: CONVERSATION,
    isGroup: true,
    conversationType: 'channel',
    tenantId: 'c0000000-0000-4000-8000-000000000001',
    name: 'General',
  },
  replyToId: '1700000000001',
  summary: 'Retry service provisioning for Alice Smith',
  text: '<at>Reggie</at> here is the card',
  entities: [{ type: 'mention', text: '<at>Reggie</at>', mentioned: { id: '29:reggie', name: 'Reggie' } }],
  channelData: { notification: { alert: true }, tenant: { id: 'c0000000-0000-4000-8000-000000000001' } },
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Alice Smith' }] },
    },
  ],
};

type Send = (c: ConnectorClient) => Promise<unknown>;

const operations: Array<[string, Send]> = [
  ['a reply', (c) => c.conversations.replyToActivity(CONVERSATION, '1700000000001', reply)],
  ['a new message', (c) => c.conversations.sendToConversation(CONVERSATION, reply)],
  ['an update', (c) => c.conversations.updateActivity(CONVERSATION, '1700000000002', reply)],
];

async function sentBy(make: () => ConnectorClient, send: Send): Promise<Received> {
  await send(make());
  const last = received.at(-1);
  if (!last) throw new Error('nothing reached the connector');
  return last;
}

it.each(operations)(
  '%s reaches the connector as the schema serializer would send it',
  async (_what, send) => {
    const stock = await sentBy(client, send);
    const plain = await sentBy(() => sendActivitiesAsJson(client()), send);
    expect(plain).toEqual(stock);
    expect((plain.body as { timestamp: unknown }).timestamp).toBe('2026-11-23T10:00:00.123Z');
  },
);

it('keeps an activity property the schema does not know, which the serializer dropped', async () => {
  const withNew = { ...reply, futureField: { kept: true } } as Partial<Activity>;
  const send: Send = (c) => c.conversations.replyToActivity(CONVERSATION, '1700000000001', withNew);
  expect(await sentBy(client, send)).not.toHaveProperty('body.futureField');
  expect(await sentBy(() => sendActivitiesAsJson(client()), send)).toHaveProperty('body.futureField', {
    kept: true,
  });
});

it('leaves operations whose body is not an activity to the schema serializer', async () => {
  const parameters = {
    isGroup: false,
    bot: { id: '28:bot', name: 'Provisioning Fixer' },
    members: [{ id: '29:reggie', name: 'Reggie' }],
    tenantId: 'c0000000-0000-4000-8000-000000000001',
    channelData: { tenant: { id: 'c0000000-0000-4000-8000-000000000001' } },
    unknownToSchema: 'dropped',
  } as unknown as ConversationParameters;
  const send: Send = (c) => c.conversations.createConversation(parameters);
  const plain = await sentBy(() => sendActivitiesAsJson(client()), send);
  expect(plain).toEqual(await sentBy(client, send));
  expect(plain).not.toHaveProperty('body.unknownToSchema');
});

it('answers with what the connector said', async () => {
  const sent = await sendActivitiesAsJson(client()).conversations.replyToActivity(CONVERSATION, '1', reply);
  expect(sent.id).toBe(`sent-${received.length}`);
});
