import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type * as AdaptiveCards from 'adaptivecards';
import { defaultRegistry } from '../../src/domain/actions/registry';
import { helpCard, helpCommandCard } from '../../src/features/cards/help-cards';
import { renderCard, type AdaptiveCardJson, type CardTemplateName } from '../../src/features/cards/render';
import { ManualClock } from '../fakes/manual-clock';

/**
 * Every Adaptive Card the bot can send is parsed by the Adaptive Cards SDK as Teams would: targeting
 * version 1.5 (Teams' ceiling on mobile), so an element or property newer than 1.5, an unknown type, a bad
 * value or a duplicate id is an error here. Each template in cards/ brings named sample data sets in
 * cards/samples/<template>.json; builders add the cards they make from the registry.
 */
// The package's lib/ is ES modules, which jest's CommonJS runtime cannot load; its UMD bundle is the same SDK.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

const CARDS_DIR = path.resolve(__dirname, '../../cards');
const SAMPLES_DIR = path.join(CARDS_DIR, 'samples');
const TEAMS_MAX_VERSION = '1.5';

const templates = readdirSync(CARDS_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

function samplesOf(template: string): Array<[string, object]> {
  const file = path.join(SAMPLES_DIR, `${template}.json`);
  if (!existsSync(file)) return [];
  const sets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, object>;
  return Object.entries(sets);
}

/** What the Adaptive Cards SDK reports for a card, parsed as a 1.5 host would and then validated. */
function sdkProblems(json: AdaptiveCardJson): string[] {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const card = new AC.AdaptiveCard();
  card.parse(json, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    problems.push(`parse: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  for (const e of card.validateProperties().validationEvents) {
    problems.push(`validate: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  return problems;
}

/** Versions named anywhere in the card (the card's own and any `version` on nested cards). */
function versionsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => versionsIn(n, found));
  else if (node && typeof node === 'object') {
    const n = node as Record<string, unknown>;
    if (n.type === 'AdaptiveCard' && typeof n.version === 'string') found.push(n.version);
    Object.values(n).forEach((v) => versionsIn(v, found));
  }
  return found;
}

/** Teams' chart elements (Chart.Donut, Chart.VerticalBar…) anywhere in the card. */
function chartsIn(node: unknown, found: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(node)) node.forEach((n) => chartsIn(n, found));
  else if (node && typeof node === 'object') {
    const n = node as Record<string, unknown>;
    if (typeof n.type === 'string' && n.type.startsWith('Chart.')) found.push(n);
    Object.values(n).forEach((v) => chartsIn(v, found));
  }
  return found;
}

/**
 * Teams draws chart elements that the Adaptive Cards SDK does not know; a client without them renders the
 * element's `fallback` (learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/charts-in-adaptive-cards).
 * So a chart must carry a fallback element, which the SDK parses in its place, as such a client would, and the
 * SDK's "unknown element type" for the chart itself is expected.
 */
function expectTeamsReady(card: AdaptiveCardJson): void {
  expect(card.type).toBe('AdaptiveCard');
  const text = JSON.stringify(card);
  expect(text).not.toMatch(/\$\{|"\$data"|"\$when"/);
  for (const v of versionsIn(card)) expect(Number(v)).toBeLessThanOrEqual(Number(TEAMS_MAX_VERSION));
  const charts = chartsIn(card);
  for (const chart of charts)
    expect(chart.fallback).toEqual(expect.objectContaining({ type: expect.any(String) }));
  const chartTypes = new Set(charts.map((c) => String(c.type)));
  const unknownChart = /^parse: UnknownElementType: Unknown element type "(Chart\.[A-Za-z.]+)"/;
  expect(sdkProblems(card).filter((p) => !chartTypes.has(unknownChart.exec(p)?.[1] ?? ''))).toEqual([]);
}

describe('card templates in cards/', () => {
  it.each(templates)('%s.json declares Adaptive Card version 1.5 or older', (name) => {
    const template = JSON.parse(readFileSync(path.join(CARDS_DIR, `${name}.json`), 'utf8')) as {
      version?: string;
    };
    expect(template.version).toBeDefined();
    expect(Number(template.version)).toBeLessThanOrEqual(Number(TEAMS_MAX_VERSION));
  });

  it.each(templates)('%s.json has sample data sets in cards/samples/', (name) => {
    expect(samplesOf(name).length).toBeGreaterThan(0);
  });

  const cases = templates.flatMap((name) =>
    samplesOf(name).map(([set, data]) => [name, set, data] as [string, string, object]),
  );
  it.each(cases)(
    '%s with sample "%s" binds fully and parses with no error or warning',
    (name, _set, data) => {
      // Sample files are untyped JSON; the builders' tests hold each template to its data interface.
      expectTeamsReady(renderCard(name as CardTemplateName, data as never));
    },
  );
});

describe('cards built from the action registry', () => {
  const registry = defaultRegistry(new ManualClock(Date.parse('2026-11-22T12:00:00Z')));

  it('the help card parses with no error or warning', () => {
    expectTeamsReady(helpCard(registry));
  });

  it.each(registry.actions.map((a) => [a.name, a] as const))(
    'the help card of %s parses with no error or warning',
    (_name, action) => {
      expectTeamsReady(helpCommandCard(action));
    },
  );
});

describe('the check itself', () => {
  it('refuses an element newer than 1.5, an unknown property value and a duplicate id', () => {
    const problems = sdkProblems({
      type: 'AdaptiveCard',
      version: '1.5',
      body: [
        { type: 'Carousel', pages: [] },
        { type: 'TextBlock', text: 'a', id: 'x', size: 'Enormous' },
        { type: 'TextBlock', text: 'b', id: 'x' },
      ],
    });
    expect(problems.join('\n')).toMatch(/UnknownElementType.*Carousel/);
    expect(problems.join('\n')).toMatch(/InvalidPropertyValue.*Enormous/);
    expect(problems.join('\n')).toMatch(/DuplicateId/);
  });

  it('refuses a property newer than the target version (TextBlock style is 1.5)', () => {
    const context = new AC.SerializationContext(AC.Versions.v1_4);
    new AC.AdaptiveCard().parse(
      { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'a', style: 'heading' }] },
      context,
    );
    const events = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).event);
    expect(events).toContain(AC.ValidationEvent.UnsupportedProperty);
  });
});
