/*
 * Text on cards, shown as written.
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
