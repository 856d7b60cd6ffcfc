import type { Fact } from '../../domain/actions/action';

/*
 * Text on cards, shown as written and within the room its field was given.
 *
 * Teams renders a TextBlock's text and a fact's title and value as Markdown, a CommonMark subset with
 * emphasis, links and lists (learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format),
 * and a client that passes raw HTML through drops the tags it does not know, a placeholder like `<user>`
 * among them. The bot never means its card text as Markdown, so it escapes every character that could start
 * a construct with a backslash, which CommonMark renders as the character itself.
 */

/** Characters escaped wherever they stand: emphasis, code, strikethrough, links, HTML, tables. */
const ALWAYS = ['\\', '`', '*', '~', '[', ']', '<', '>', '|'];

/** Those, an underscore, and an ampersand that starts an entity (`&lt;`, `&#60;`). */
const INLINE = new RegExp(
  `[${ALWAYS.map((ch) => `\\${ch}`).join('')}_]|&(?=#\\d{1,7};|#x[\\da-f]{1,6};|[a-z][a-z\\d]{1,31};)`,
  'gi',
);
const WORD = /^[\p{L}\p{N}]$/u;

function inline(line: string): string {
  return line.replace(INLINE, (ch: string, at: number, all: string) =>
    // An underscore between two letters or digits opens no emphasis in CommonMark (snake_case, Graph's
    // Authorization_RequestDenied): left as typed, so the id reads and copies as it is.
    ch === '_' && WORD.test(all[at - 1] ?? '') && WORD.test(all[at + 1] ?? '') ? ch : `\\${ch}`,
  );
}

/** A heading, list item, quote, thematic break or setext underline where a line starts. */
function lineStart(line: string): string {
  const ordered = /^(\d{1,9})([.)])/.exec(line);
  if (ordered) return `${ordered[1]}\\${ordered[2]}${line.slice(ordered[0].length)}`;
  return /^[#\-+=]/.test(line) ? `\\${line}` : line;
}

/**
 * The text as Teams should show it, literally: no emphasis, no link, no HTML, no list. Lines lose their
 * leading blanks (four would make a code block; CommonMark drops them in a paragraph anyway).
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => lineStart(inline(line.replace(/^[ \t]+/, ''))))
    .join('\n');
}

/** What one character costs in a card's JSON once escaped, in UTF-16 code units (the unit Teams counts). */
function wireCost(ch: string): number {
  const escaped = ALWAYS.includes(ch) || ch === '_' || ch === '&' ? `\\${ch}` : ch;
  return JSON.stringify(escaped).length - 2;
}

/** A line-start escape (`\-`, `\#`) the first character may get: one backslash, two units in JSON. */
const LINE_START_COST = 2;
const ELLIPSIS = '…';

/**
 * Untrusted or unbounded text made fit for a card: control and bidirectional-override characters dropped
 * (they would reorder what is shown), whitespace (line breaks
 * included) collapsed to single spaces, and cut with "…" so that, once escaped and written as JSON, it takes
 * at most `maxUnits` UTF-16 code units. Text full of Markdown characters therefore shows fewer of them, but
 * no text can take more room than its field was given.
 */
export function clip(text: string, maxUnits: number): string {
  const clean = text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/\s+/g, ' ')
    .replace(/\p{Cc}|[\u202A-\u202E\u2066-\u2069]/gu, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  let used = LINE_START_COST;
  let end = 0;
  const budget = maxUnits - wireCost(ELLIPSIS);
  let fitsBudget = 0;
  for (const ch of clean) {
    used += wireCost(ch);
    if (used <= budget) fitsBudget = end + ch.length;
    if (used > maxUnits) return `${clean.slice(0, fitsBudget).trimEnd()}${ELLIPSIS}`;
    end += ch.length;
  }
  return clean;
}

/** What a list on a card shows: its first items, and a line counting the rest (null when none is left out). */
export interface Listed<T> {
  readonly shown: T[];
  readonly more: string | null;
}

/**
 * The first `max` items of a list, and for the rest the line `more` writes from their count (formatted
 * `1,234`), e.g. "… and 4,980 more targets": a card lists what fits and says what it left out.
 */
export function firstOf<T>(items: readonly T[], max: number, more: (rest: string) => string): Listed<T> {
  const rest = items.length - max;
  return {
    shown: items.slice(0, max),
    more: rest > 0 ? more(rest.toLocaleString('en-US')) : null,
  };
}

/**
 * Room for each kind of text on a card, in UTF-16 code units once escaped (see clip). Lists multiply
 * these, so each card also caps how many lines it lists; test/unit/card-size.test.ts renders every
 * template with its worst case and holds it to Teams' limit.
 */
export const ROOM = {
  /** A person's or an object's display name (Entra allows 256 characters). */
  name: 120,
  /** A card's headline, or a command as typed. */
  title: 300,
  /** One line of a list. */
  line: 400,
  factTitle: 80,
  factValue: 600,
  /** A paragraph: a summary, a Graph error message, a reason. */
  paragraph: 2_000,
} as const;

/** The most facts a card shows; actions make a handful, so this only stops a runaway list. */
export const MAX_FACTS = 16;

/** Facts clipped to their room, at most MAX_FACTS of them. */
export function clipFacts(facts: readonly Fact[]): Fact[] {
  return facts.slice(0, MAX_FACTS).map((f) => ({
    title: clip(f.title, ROOM.factTitle),
    value: clip(f.value, ROOM.factValue),
  }));
}

/**
 * A time each viewer reads in their own time zone and format: Adaptive Cards' DATE() and TIME() in TextBlock
 * text ("Text features": uppercase, no spaces inside the braces, strict RFC 3339, whose examples carry no
 * fraction, so milliseconds are dropped). Only TextBlock text: a FactSet value or a plain message shows the
 * function as written.
 */
export function localTime(iso: string | undefined): string {
  const t = iso === undefined ? Number.NaN : Date.parse(iso);
  if (Number.isNaN(t)) return iso ?? '?';
  const at = new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${at}, SHORT)}} {{TIME(${at})}}`;
}
