import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as ACData from 'adaptivecards-templating';
import type { CardDataByTemplate } from './card-data';

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

/** Binds data to a card template with adaptivecards-templating. */
export function renderCard<N extends CardTemplateName>(
  name: N,
  data: CardDataByTemplate[N],
): AdaptiveCardJson {
  let template = templates.get(name);
  if (!template) {
    template = new ACData.Template(loadTemplate(name));
    templates.set(name, template);
  }
  return template.expand({ $root: data }) as AdaptiveCardJson;
}
