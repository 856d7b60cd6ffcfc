import type { ConnectorRequestRecord } from '../fakes';
import { howTeamsShows } from '../fakes/teams-markdown';

/** An Adaptive Card as received by the fake connector or in an invoke response. */
export type Card = Record<string, unknown>;

/**
 * Every piece of visible text on a card (text blocks, facts, button titles) as a person reads it: text
 * blocks and facts rendered as Teams renders their Markdown, everything else as written.
 */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown, markdown: boolean) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, markdown));
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    const shownAsMarkdown = markdown || n.type === 'TextBlock';
    for (const key of ['text', 'title', 'value']) {
      const text = n[key];
      if (typeof text === 'string') out.push(shownAsMarkdown ? howTeamsShows(text).visible : text);
    }
    for (const [key, value] of Object.entries(n))
      if (key !== 'refresh' && typeof value === 'object')
        walk(value, key === 'facts' && n.type === 'FactSet');
  };
  walk(card, false);
  return out.join('\n');
}

/** The Action.Execute buttons on a card, wherever they sit (not the card's own refresh action). */
export function cardActions(
  card: unknown,
): Array<{ title: string; verb: string; data: Record<string, unknown> }> {
  const found: Array<{ title: string; verb: string; data: Record<string, unknown> }> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.type === 'Action.Execute') {
      found.push({
        title: String(n.title),
        verb: String(n.verb),
        data: (n.data ?? {}) as Record<string, unknown>,
      });
    }
    for (const [key, value] of Object.entries(n))
      if (key !== 'refresh' && typeof value === 'object') walk(value);
  };
  walk(card);
  return found;
}

/** The card attached to an activity the bot sent. */
export function attachedCard(record: ConnectorRequestRecord): Card {
  const body = record.body as { attachments?: Array<{ contentType?: string; content?: Card }> };
  const attachment = body.attachments?.find(
    (a) => a.contentType === 'application/vnd.microsoft.card.adaptive',
  );
  if (!attachment?.content)
    throw new Error(`No Adaptive Card in ${JSON.stringify(record.body).slice(0, 300)}`);
  return attachment.content;
}

/** The card's Universal Actions refresh: the verb and the users whose clients refresh automatically. */
export function cardRefresh(
  card: unknown,
): { verb: string; userIds: string[]; data: Record<string, unknown> } | undefined {
  const refresh = (
    card as { refresh?: { action?: { verb?: string; data?: Record<string, unknown> }; userIds?: string[] } }
  ).refresh;
  if (!refresh?.action) return undefined;
  return {
    verb: String(refresh.action.verb),
    userIds: refresh.userIds ?? [],
    data: refresh.action.data ?? {},
  };
}
