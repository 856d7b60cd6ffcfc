import { escapeMarkdown } from '../../src/cards/card-text';
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
