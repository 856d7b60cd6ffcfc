import fc from 'fast-check';
import { clip, escapeMarkdown, firstOf } from '../../src/features/cards/card-text';
import { howTeamsShows } from '../fakes/teams-markdown';

/** Text that Teams would turn into something else: a link, emphasis, HTML, a list, a heading, code… */
const HOSTILE: ReadonlyArray<[string, string]> = [
  ['a planted link', '[Approve now](https://evil.example/approve)'],
  ['an autolink', '<https://evil.example/approve>'],
  ['an e-mail autolink', '<admin@evil.example>'],
  ['an image', '![logo](https://evil.example/pixel.png)'],
  ['a reference link', '[1]: https://evil.example\n[Approve][1]'],
  ['HTML', '<a href="https://evil.example">Approve</a>'],
  ['a placeholder', 'retry-provisioning <user> [--group <group>]'],
  ['a mention tag', '<at>Ada Admin</at> approved'],
  ['emphasis', '*urgent* and _quiet_'],
  ['strong emphasis', '**Approved** by __everyone__'],
  ['emphasis inside a word', 'un*believ*able'],
  ['strikethrough', '~~not~~ refused'],
  ['code', 'run `rm -rf` now'],
  ['an entity', 'Tom &amp; Jerry &#60;b&#62;'],
  ['a backslash escape', 'C:\\Users\\\\* and \\[x\\]'],
  ['a heading', '# Incident'],
  ['a bullet', '- first'],
  ['a plus bullet', '+ first'],
  ['a numbered item', '1. first'],
  ['a numbered item with a parenthesis', '7) seventh'],
  ['a quote', '> quoted'],
  ['a thematic break', '---'],
  ['an indented code block', '    indented'],
  ['a setext heading', 'Title\n==='],
  ['a table', 'a | b\n--|--\nc | d'],
  ['several lines', 'first line\n- second\n# third'],
  ['a fenced block', '```\ncode\n```'],
];

describe('escapeMarkdown, as a Teams-like client shows the result', () => {
  it.each(HOSTILE)('%s shows as written, with no markup', (_name, text) => {
    const shown = howTeamsShows(escapeMarkdown(text));
    expect(shown.markup).toEqual([]);
    expect(shown.visible).toBe(text.replace(/^[ \t]+/gm, ''));
  });

  it.each(HOSTILE)('%s would be rendered as something else unescaped', (_name, text) => {
    const raw = howTeamsShows(text);
    expect(raw.markup.length > 0 || raw.visible !== text).toBe(true);
  });

  it.each([
    ['a Graph error code', 'Authorization_RequestDenied'],
    ['a guest UPN', 'alice_contoso.com#EXT#@fabrikam.onmicrosoft.com'],
    ['a date', '2026-11-22T12:00:00.000Z · Requested'],
    ['an ampersand', 'Sales & Marketing'],
    ['a dash in a sentence', 'retry-provisioning --group Sales'],
    ['a date or time function', '{{DATE(2026-11-22T12:00:00Z, SHORT)}}'],
  ])('leaves %s as typed: it starts nothing', (_name, text) => {
    expect(escapeMarkdown(text)).toBe(text);
    expect(howTeamsShows(text)).toEqual({ visible: text, markup: [] });
  });
});

describe('clip', () => {
  it.each([
    ['collapses line breaks and runs of blanks', 'a\r\n\n  b\tc ', 100, 'a b c'],
    ['drops control characters', 'a\u0000b\u0007c\u009f', 100, 'abc'],
    ['drops bidirectional overrides, which reorder what is shown', 'abc\u202Egnp.exe', 100, 'abcgnp.exe'],
    ['replaces a lone surrogate', 'a\uD800b', 100, 'a\uFFFDb'],
    ['keeps text that fits', 'Alice Smith', 13, 'Alice Smith'],
    ['cuts with an ellipsis', 'Alice Smith', 12, 'Alice Smi…'],
    ['cuts before a blank', 'Alice Smith', 9, 'Alice…'],
    ['never splits an emoji', 'ab😀cd', 6, 'ab…'],
    ['counts a Markdown character at its escaped cost', '****', 10, '**…'],
  ])('%s', (_name, text, max, expected) => {
    expect(clip(text, max)).toBe(expected);
  });

  it('keeps any text, escaped and written as JSON, within its room, and shows it as clipped', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.integer({ min: 8, max: 600 }),
        (text, max) => {
          const clipped = clip(text, max);
          const escaped = escapeMarkdown(clipped);
          expect(JSON.stringify(escaped).length - 2).toBeLessThanOrEqual(max);
          expect(howTeamsShows(escaped)).toEqual({ visible: clipped, markup: [] });
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('firstOf', () => {
  it.each([
    [3, 5, [1, 2, 3], null],
    [5, 5, [1, 2, 3, 4, 5], null],
    [1_234, 2, [1, 2], '… and 1,232 more'],
  ])('lists %i items at most %i at a time', (count, max, shown, more) => {
    const items = Array.from({ length: count }, (_, i) => i + 1);
    expect(firstOf(items, max, (rest) => `… and ${rest} more`)).toEqual({ shown, more });
  });
});
