import { extractCommandText, foldTypography } from '../../src/features/commands/text-cleanup';
import { decodeEntities } from '../../src/infra/html-entities';

const BOT = '28:00000000-0000-0000-0000-0000000000b0';
const botMention = (name: string, text = `<at>${name}</at>`) => ({
  text,
  mentionedId: BOT,
  mentionedName: name,
});

describe('extractCommandText', () => {
  const cases: Array<[string, string, ReturnType<typeof botMention>[], string]> = [
    [
      'plain mention',
      '<at>Fixer</at> retry-provisioning alice@contoso.com',
      [botMention('Fixer')],
      'retry-provisioning alice@contoso.com',
    ],
    [
      'escaped ampersand in the bot name',
      '<at>Fix &amp; Co</at> help',
      [botMention('Fix & Co', '<at>Fix &amp; Co</at>')],
      'help',
    ],
    [
      'entity text unescaped but message escaped',
      '<at>Fix &amp; Co</at> help',
      [botMention('Fix & Co', '<at>Fix & Co</at>')],
      'help',
    ],
    ['mention in the middle', 'please <at>Fixer</at> help', [botMention('Fixer')], 'please help'],
    [
      'other people keep their names, quoted when spaced',
      '<at>Fixer</at> retry-provisioning <at>Alice Smith</at>',
      [
        botMention('Fixer'),
        { text: '<at>Alice Smith</at>', mentionedId: '29:alice', mentionedName: 'Alice Smith' },
      ],
      'retry-provisioning "Alice Smith"',
    ],
    [
      'leftover at-tag of the bot without entity text',
      '<at>Fixer</at> help',
      [{ ...botMention('Fixer'), text: '' }],
      'help',
    ],
    [
      'smart quotes and long dash',
      '<at>Fixer</at> provision-on-demand “Alice Smith” —app ‘Sales Force’',
      [botMention('Fixer')],
      `provision-on-demand "Alice Smith" --app 'Sales Force'`,
    ],
    ['en dash too', 'x –job 1', [], 'x --job 1'],
    ['html wrapper and nbsp', '<p><at>Fixer</at>&nbsp;help</p>', [botMention('Fixer')], 'help'],
    ['numeric entities', 'help&#32;retry&#x2d;provisioning', [], 'help retry-provisioning'],
    ['zero width and bidi marks', 'he\u200blp \u202eretry', [], 'help retry'],
    ['no mention (personal chat)', 'help', [], 'help'],
  ];
  it.each(cases)('%s', (_name, raw, mentions, expected) => {
    expect(extractCommandText(raw, mentions, BOT)).toBe(expected);
  });

  it('does not strip a mention of another bot id', () => {
    const other = { text: '<at>Fixer</at>', mentionedId: '28:someone-else', mentionedName: 'Fixer' };
    expect(extractCommandText('<at>Fixer</at> help', [other], BOT)).toBe('Fixer help');
  });
});

describe('decodeEntities and foldTypography', () => {
  it.each([
    ['&amp;&lt;&gt;&quot;&#39;', `&<>"'`],
    ['&unknown; stays', '&unknown; stays'],
    ['&#0; stays', '&#0; stays'],
  ])('decodes %s', (input, expected) => expect(decodeEntities(input)).toBe(expected));

  it.each([
    ['\u201cA\u201d', '"A"'],
    ['\u2018A\u2019', "'A'"],
    ['a \u2014flag', 'a --flag'],
    ['em\u2014dash inside a word', 'em\u2014dash inside a word'],
  ])('folds %s', (input, expected) => expect(foldTypography(input)).toBe(expected));
});
