import type { ConnectorRequestRecord } from '../fakes';

/** An Adaptive Card as received by the fake connector or in an invoke response. */
export type Card = Record<string, unknown>;

/** Every piece of visible text on a card (text blocks, facts, button titles), for assertions. */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    for (const key of ['text', 'title', 'value']) if (typeof n[key] === 'string') out.push(n[key] as string);
    for (const value of Object.values(n)) if (typeof value === 'object') walk(value);
  };
  walk(card);
  return out.join('\n');
}

/** The Action.Execute buttons on a card, wherever they sit. */
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
    for (const value of Object.values(n)) if (typeof value === 'object') walk(value);
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
