import { request } from 'node:http';
import { signWebhook } from '../../src/features/notify/webhook';
import type { ConnectorRequestRecord, TeamsUser } from '../fakes';
import { attachedCard, cardActions, cardText, type Card } from './card-helpers';
import type { InvokeBody, Sent } from './flows';
import { PEOPLE, type Harness } from './harness';

/** The channel the default TeamsClient posts in. */
export const CHANNEL = '19:fakechannel@thread.tacv2';

/** Sends from the bot to one conversation (base id), successful or not. */
export function postsTo(h: Harness, conversationId: string): ConnectorRequestRecord[] {
  return h.connector.requests.filter(
    (r) => r.kind === 'send' && (r.conversationId ?? '').split(';')[0] === conversationId,
  );
}

/** Successful card posts to a conversation (not the one-line text replies that tell an outcome). */
export function cardsIn(h: Harness, conversationId: string): Card[] {
  return postsTo(h, conversationId)
    .filter((r) => r.status < 300 && (r.body as { attachments?: unknown[] }).attachments?.length)
    .map(attachedCard);
}

/** A proactive post as a `Sent`, so flows.click can press its buttons. */
export function asSent(record: ConnectorRequestRecord): Sent {
  return {
    card: attachedCard(record),
    cardId: String(record.newId),
    conversationId: String(record.conversationId),
  };
}

/** The latest successful card post to a conversation. */
export function lastPost(h: Harness, conversationId: string): Sent {
  const ok = postsTo(h, conversationId).filter((r) => r.status < 300);
  const last = ok[ok.length - 1];
  if (!last) throw new Error(`Nothing was posted to ${conversationId}`);
  return asSent(last);
}

/** Installs the bot in the default team, as Teams does. */
export async function installInTeam(h: Harness): Promise<void> {
  const res = await h.teams.installationUpdate({ action: 'add', from: PEOPLE.ada });
  expect(res.status).toBe(200);
}

/** @mentions the bot with a (subscription) command in the default channel and returns the answer's text. */
export async function say(h: Harness, text: string, conversationType?: 'channel' | 'groupChat' | 'personal') {
  const res = await h.teams.message({
    from: PEOPLE.ada,
    text,
    ...(conversationType ? { conversationType } : {}),
  });
  expect(res.status).toBe(200);
  const rec = await h.connector.waitFor(
    (r) => r.kind === 'reply' && r.activityId === String(res.activity.id),
  );
  return cardText(attachedCard(rec));
}

/** Presses Remediate on a card line (the first unless `index` says otherwise). */
export async function remediate(
  h: Harness,
  sent: Sent,
  index = 0,
  from: TeamsUser = PEOPLE.reggie,
): Promise<InvokeBody> {
  const button = cardActions(sent.card).filter((a) => a.verb === 'remediate')[index];
  if (!button) throw new Error('No Remediate button on the card');
  const res = await h.teams.invoke({
    from,
    conversationId: sent.conversationId,
    replyToId: sent.cardId,
    verb: 'remediate',
    data: button.data,
  });
  expect(res.status).toBe(200);
  return res.body as InvokeBody;
}

/** An HTTP answer from the webhook. */
export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs raw bytes to the bot's webhook with the given headers. */
export function postWebhook(
  port: number,
  body: string | Buffer,
  headers: Record<string, string>,
  chunked = false,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/notifications',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(payload.length) }),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          let parsed: Record<string, unknown>;
          try {
            parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            parsed = { raw: text };
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      // The bot may close the connection once it has answered 413 to a body it stopped reading.
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    if (chunked) {
      for (let i = 0; i < payload.length; i += 16 * 1024) req.write(payload.subarray(i, i + 16 * 1024));
      req.end();
    } else {
      req.end(payload);
    }
  });
}

/** Signs a body like an external monitor: X-Timestamp (unix seconds) and X-Signature. */
export function signedHeaders(
  secret: string,
  body: string,
  nowMs: number,
  prefix = true,
): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  const signature = signWebhook(secret, timestamp, body);
  return { 'x-timestamp': timestamp, 'x-signature': prefix ? `sha256=${signature}` : signature };
}
