import { CONTOSO, contosoSeed, failingUsers, type ConnectorRequestRecord, type FailingUsers } from '../fakes';
import { attachedCard, cardActions, cardText, type Card } from './card-helpers';
import { approve, command, type InvokeBody, type Sent } from './flows';
import { PEOPLE, startHarness, type Harness, type HarnessOptions } from './harness';
import type { Env } from '../../src/infra/config';

/** A harness (on its manual clock) with `count` extra users whose Exchange provisioning and licence failed. */
export async function startBulkHarness(
  count: number,
  env: Env = {},
  options: HarnessOptions = {},
): Promise<{ h: Harness; users: FailingUsers }> {
  const h = await startHarness(env, options);
  const seed = contosoSeed(new Date(h.clock.now()));
  const users = failingUsers(count, new Date(h.clock.now()));
  h.graph.seed({
    users: [...(seed.users ?? []), ...users.users],
    groups: [...(seed.groups ?? []), users.group],
  });
  return { h, users };
}

/** The cards the bot posted as new messages (thread replies to nobody: proactive sends). */
export function sends(h: Harness): ConnectorRequestRecord[] {
  return h.connector.requests.filter((r) => r.kind === 'send' && r.status < 300);
}

/** Waits for the bulk summary: the run's card as its end updated it in place (see {@link toldInThread}). */
export async function summaryPost(h: Harness, after = 0, timeoutMs = 20_000): Promise<Sent> {
  return toldInThread(
    h,
    /Accepted by Microsoft Graph|Resolved|Still failing|Could not verify|Finished with failures|Failed/,
    after,
    timeoutMs,
  );
}

/**
 * Waits for the thread's one-line reply (after request index `after`) whose text matches `word`, and returns
 * the card the bot updated in place to say so before it: the run's one full record.
 */
export async function toldInThread(h: Harness, word: RegExp, after = 0, timeoutMs = 5000): Promise<Sent> {
  const notice = await h.connector.waitFor((r) => {
    if (r.kind !== 'send' || r.status >= 300 || h.connector.requests.indexOf(r) < after) return false;
    const text = (r.body as { text?: unknown } | undefined)?.text;
    return typeof text === 'string' && word.test(text);
  }, timeoutMs);
  const updated = h.connector.requests
    .slice(after, h.connector.requests.indexOf(notice))
    .filter((r) => r.kind === 'update' && r.status < 300 && word.test(String(firstText(attachedCard(r)))))
    .pop();
  if (!updated)
    throw new Error(`The thread was told ${String(word)} without the card being updated to say so`);
  return {
    card: attachedCard(updated),
    cardId: String(updated.activityId),
    conversationId: String(updated.conversationId),
  };
}

/** The thread's one-line replies so far whose text matches `word`. */
export function noticesMatching(h: Harness, word: RegExp): string[] {
  return sends(h)
    .map((r) => (r.body as { text?: unknown } | undefined)?.text)
    .filter((t): t is string => typeof t === 'string' && word.test(t));
}

function firstText(card: Card): unknown {
  return cardText(card).split('\n')[0];
}

/** The headline (first text block) of a card. */
export function headline(card: Card): string {
  return String(firstText(card));
}

/** Sends a bulk command as Reggie, approves it as Ada, and returns the confirmation and the approve answer. */
export async function requestAndApprove(
  h: Harness,
  text: string,
): Promise<{ confirmation: Sent; answer: InvokeBody }> {
  const confirmation = await command(h, text, PEOPLE.reggie);
  expect(cardActions(confirmation.card).map((a) => a.verb)).toContain('approve');
  const answer = await approve(h, confirmation, PEOPLE.ada);
  return { confirmation, answer };
}

/** The card inside an invoke response. */
export function invokeCard(body: InvokeBody): Card {
  return body.value as Card;
}

/** Remediation writes the fake answered inside JSON batches, per target id. */
export function batchedWrites(h: Harness, status?: number) {
  return h.graph.requests.filter(
    (r) => r.batchId !== undefined && r.method === 'POST' && (status === undefined || r.status === status),
  );
}

/** Every text on a card, one string (re-exported for bulk tests). */
export { cardText, CONTOSO };
