import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as ACData from 'adaptivecards-templating';
import { VERBS } from '../shared/verbs';
import type { CardDataByTemplate } from './card-data';
import { escapeMarkdown } from './card-text';

/** An Adaptive Card as JSON, ready to attach to a message or return from an invoke. */
export type AdaptiveCardJson = Record<string, unknown>;

/** The templates that ship in cards/, each bound to the typed data its builder passes. */
export type CardTemplateName = keyof CardDataByTemplate;

function findCardsDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'cards');
    if (existsSync(path.join(candidate, 'outcome.json'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('The cards/ folder with the Adaptive Card templates was not found');
}

const templates = new Map<CardTemplateName, ACData.Template>();
let cardsDir: string | undefined;

/** Reads a template once per process. */
export function loadTemplate(name: CardTemplateName): unknown {
  cardsDir ??= findCardsDir();
  return JSON.parse(readFileSync(path.join(cardsDir, `${name}.json`), 'utf8'));
}

/**
 * The card with every string Teams renders as Markdown (TextBlock text, fact titles and values) escaped, so
 * names, Graph messages, reasons and command echoes show as written and cannot plant a link. Button data
 * is read by the bot, not shown, and is left as it is. A copy: templating may hand back the caller's objects.
 */
function showLiterally(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(showLiterally);
  if (!node || typeof node !== 'object') return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = key === 'data' ? value : showLiterally(value);
  if (copy.type === 'TextBlock' && typeof copy.text === 'string') copy.text = escapeMarkdown(copy.text);
  if (copy.type === 'FactSet' && Array.isArray(copy.facts)) {
    copy.facts = copy.facts.map((fact: Record<string, unknown>) => ({
      ...fact,
      ...(typeof fact.title === 'string' ? { title: escapeMarkdown(fact.title) } : {}),
      ...(typeof fact.value === 'string' ? { value: escapeMarkdown(fact.value) } : {}),
    }));
  }
  return copy;
}

/**
 * Binds data to a card template with adaptivecards-templating; all shown text comes out literal. Every template
 * also sees the verb table as `verbs`, so its buttons name their verbs from the one list the handlers use.
 */
export function renderCard<N extends CardTemplateName>(
  name: N,
  data: CardDataByTemplate[N],
): AdaptiveCardJson {
  let template = templates.get(name);
  if (!template) {
    template = new ACData.Template(loadTemplate(name));
    templates.set(name, template);
  }
  return showLiterally(template.expand({ $root: { ...data, verbs: VERBS } })) as AdaptiveCardJson;
}
