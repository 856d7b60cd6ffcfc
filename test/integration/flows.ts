import {
  CONTOSO,
  honouredMentions,
  TeamsClient,
  type HonouredMention,
  type ConnectorRequestRecord,
  type TeamsClientOptions,
  type TeamsMessageOptions,
  type TeamsUser,
} from '../fakes';
import { attachedCard, cardActions, cardText, type Card } from './card-helpers';
import { PEOPLE, type Harness } from './harness';

/** A card the bot posted in answer to a message. */
export interface Sent {
  card: Card;
  cardId: string;
  conversationId: string;
}

/** The Universal Actions invoke response body. */
export interface InvokeBody {
  statusCode: number;
  type: string;
  value: Record<string, unknown>;
}

/** Extra message options; `client` sends through another TeamsClient (e.g. another bot name or tenant). */
export type CommandOptions = Partial<Omit<TeamsMessageOptions, 'from' | 'text'>> & { client?: TeamsClient };

/**
 * Waits for the bot's reply to a message it received (the reply targets that message's id); a typing
 * indicator, which a slow look-up sends first, is not the reply.
 */
export async function replyTo(h: Harness, activityId: string): Promise<ConnectorRequestRecord> {
  return h.connector.waitFor(
    (r) =>
      r.kind === 'reply' &&
      r.activityId === activityId &&
      (r.body as { type?: string } | undefined)?.type !== 'typing',
  );
}

/** @mentions the bot and returns the card it answered with. */
export async function command(
  h: Harness,
  text: string,
  from: TeamsUser = PEOPLE.reggie,
  options: CommandOptions = {},
): Promise<Sent> {
  const { client = h.teams, ...extra } = options;
  const res = await client.message({ ...extra, from, text });
  expect(res.status).toBe(200);
  const activityId = String(res.activity.id);
  const rec = await replyTo(h, activityId);
  return { card: attachedCard(rec), cardId: String(rec.newId), conversationId: String(rec.conversationId) };
}

/** Clicks a button on a card (the card's own data unless `data` is given) and returns the invoke response. */
export async function click(
  h: Harness,
  sent: Sent,
  verb: string,
  from: TeamsUser,
  token?: string,
  data?: object,
): Promise<InvokeBody> {
  const button = cardActions(sent.card).find((a) => a.verb === verb);
  const res = await h.teams.invoke({
    from,
    conversationId: sent.conversationId,
    replyToId: sent.cardId,
    verb,
    data: data ?? button?.data ?? {},
    ...(token ? { token } : {}),
  });
  expect(res.status).toBe(200);
  return res.body as InvokeBody;
}

/** Clicks Approve with a valid SSO token of the approver, as Teams does after the silent sign-in. */
export async function approve(h: Harness, sent: Sent, from: TeamsUser = PEOPLE.ada): Promise<InvokeBody> {
  return click(h, sent, 'approve', from, h.ssoToken(from));
}

/** The thread's one-line reply to an outcome: its text, the @mentions Teams honours, and no card. */
export interface OutcomeNotice {
  text: string;
  mentions: HonouredMention[];
  attachments: number;
}

/** Waits for the thread's one-line reply whose text carries `word` (an outcome headline). */
export async function outcomeNotice(h: Harness, word: string): Promise<OutcomeNotice> {
  const rec = await h.connector.waitFor((r) => r.kind === 'send' && noticeText(r).includes(word));
  const body = rec.body as { attachments?: unknown[] };
  return {
    text: noticeText(rec),
    mentions: honouredMentions(rec.body),
    attachments: body.attachments?.length ?? 0,
  };
}

/**
 * Waits for the outcome `word` to be told in the thread, and returns the card it updated in place, the one
 * full record of the outcome (the latest update before the reply that shows the word).
 */
export async function outcomeReply(h: Harness, word: string): Promise<Card> {
  const notice = await h.connector.waitFor((r) => r.kind === 'send' && noticeText(r).includes(word));
  const before = h.connector.requests.slice(0, h.connector.requests.indexOf(notice));
  const updated = before
    .filter((r) => r.kind === 'update' && r.status < 300 && cardText(attachedCard(r)).includes(word))
    .pop();
  if (!updated) throw new Error(`No card was updated to "${word}" before the thread was told`);
  return attachedCard(updated);
}

/** The thread's one-line replies so far whose text carries `word`. */
export function noticesSaying(h: Harness, word: string): string[] {
  return h.connector
    .sent()
    .map(noticeText)
    .filter((text) => text.includes(word));
}

function noticeText(r: ConnectorRequestRecord): string {
  const text = (r.body as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text : '';
}

/** Another Teams client against the same bot and connector (another bot display name, another tenant…). */
export function teamsClient(h: Harness, overrides: Partial<TeamsClientOptions> = {}): TeamsClient {
  return new TeamsClient({
    botUrl: `http://127.0.0.1:${h.app.port}`,
    serviceUrl: h.connector.url,
    botId: CONTOSO.botId,
    botName: 'Provisioning Fixer',
    tenantId: CONTOSO.tenantId,
    now: h.clock.now,
    ...overrides,
  });
}

/** Token requests that exchanged an SSO token on behalf of a user. */
export function oboRequests(h: Harness) {
  return h.entra.requests.filter((r) => r.grantType === 'urn:ietf:params:oauth:grant-type:jwt-bearer');
}

/** The captured log output, one parsed JSON object per line (throws on a line that is not JSON). */
export function logEntries(h: Harness): Array<Record<string, unknown>> {
  return h.logs
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Log entries at error level or above (pino: error = 50, fatal = 60). */
export function errorLogs(h: Harness): Array<Record<string, unknown>> {
  return logEntries(h).filter((e) => typeof e.level === 'number' && e.level >= 50);
}
