import MarkdownIt from 'markdown-it';
import type { AdaptiveCardJson } from '../../src/features/cards/render';

/**
 * A card text as a Teams-like client shows it. Teams renders TextBlock text and fact titles and values as
 * CommonMark (learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format); the
 * Agents Playground's client renders it with raw HTML let through and then unwraps every tag outside a short
 * list, so an unknown tag such as `<user>` disappears with its content. markdown-it (the renderer the
 * Adaptive Cards SDK documents for its hosts) with `html: true` plays that client: HTML comes out as a
 * markup token whose text is not shown.
 */
const md = new MarkdownIt({ html: true });

/** What a person sees, and every construct that was not plain text (emphasis, link, HTML, list…). */
export interface Shown {
  readonly visible: string;
  readonly markup: readonly string[];
}

const PLAIN_BLOCKS = new Set(['paragraph_open', 'paragraph_close', 'inline']);

/** Renders one card text the way a Teams-like client does. */
export function howTeamsShows(text: string): Shown {
  const markup: string[] = [];
  const paragraphs: string[] = [];
  for (const token of md.parse(text, {})) {
    if (!PLAIN_BLOCKS.has(token.type)) markup.push(token.type);
    if (token.type !== 'inline') continue;
    let visible = '';
    for (const child of token.children ?? []) {
      if (child.type === 'text') visible += child.content;
      else if (child.type === 'softbreak') visible += '\n';
      else {
        markup.push(child.type);
        if (child.type === 'code_inline') visible += child.content;
      }
    }
    paragraphs.push(visible);
  }
  return { visible: paragraphs.join('\n'), markup };
}

/** Every string on a card that Teams renders as Markdown: TextBlock text, fact titles and values. */
export function markdownTexts(card: unknown, found: string[] = []): string[] {
  if (Array.isArray(card)) card.forEach((c) => markdownTexts(c, found));
  else if (card && typeof card === 'object') {
    const node = card as AdaptiveCardJson;
    if (node.type === 'TextBlock' && typeof node.text === 'string') found.push(node.text);
    if (node.type === 'FactSet' && Array.isArray(node.facts)) {
      for (const fact of node.facts as Array<{ title: string; value: string }>)
        found.push(fact.title, fact.value);
    }
    Object.entries(node).forEach(([key, value]) => key !== 'data' && markdownTexts(value, found));
  }
  return found;
}
