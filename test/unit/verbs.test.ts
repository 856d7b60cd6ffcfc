import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { VERBS } from '../../src/features/shared/verbs';

/**
 * Card buttons name their verbs from the one table the handlers register theirs from: no template spells a
 * verb out, every template verb is in the table, and no verb in the table is left without a button.
 */
const cardsDir = path.resolve(__dirname, '../../cards');
const templateVerbs = readdirSync(cardsDir)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) =>
    [...readFileSync(path.join(cardsDir, f), 'utf8').matchAll(/"verb":\s*"([^"]*)"/g)].map(
      (m) => [f, m[1] ?? ''] as const,
    ),
  );

it('finds the buttons of the templates', () => {
  expect(templateVerbs.length).toBeGreaterThanOrEqual(Object.keys(VERBS).length);
});

it.each(templateVerbs)('%s names its verb %s from the verb table', (_file, verb) => {
  const key = /^\$\{\$root\.verbs\.(\w+)\}$/.exec(verb)?.[1];
  expect(key && Object.keys(VERBS).includes(key)).toBe(true);
});

it.each(Object.keys(VERBS))('the verb %s has a button in some template', (key) => {
  expect(templateVerbs.some(([, verb]) => verb === `\${$root.verbs.${key}}`)).toBe(true);
});
