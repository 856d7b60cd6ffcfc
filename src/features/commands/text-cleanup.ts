import { decodeEntities } from '../../infra/html-entities';

/** A mention entity as Teams sends it, reduced to what cleaning needs. */
export interface MentionEntity {
  readonly text: string;
  readonly mentionedId: string;
  readonly mentionedName: string;
}

/**
 * Undoes what chat clients do to typed commands: curly quotes back to straight ones, the long dash that
 * replaces `--` back to `--`, odd spaces to plain ones, invisible characters removed.
 */
export function foldTypography(text: string): string {
  return (
    text
      .replace(/[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/g, '"')
      .replace(/[\u2018\u2019\u201a\u201b\u2032]/g, "'")
      .replace(/(^|\s)[\u2014\u2013\u2012\u2015\u2212](?=\S)/g, '$1--')
      .replace(/[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g, ' ')
      .replace(/[\u200b-\u200d\u2060\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
      // eslint-disable-next-line no-control-regex -- stripping control characters is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ')
  );
}

function normaliseId(id: string): string {
  return id.replace(/^28:/, '').toLowerCase();
}

function stripTags(text: string): string {
  return text.replace(/<\/?(p|div|span|br|b|i|strong|em|u|s|code|pre)(\s[^>]*)?\/?>/gi, ' ');
}

/**
 * Turns the raw text of a Teams message into the command typed after the bot's @mention. Only the bot's
 * own mention is removed (other people mentioned keep their names); a name with `&` matches whether or
 * not Teams escaped it.
 */
export function extractCommandText(
  rawText: string,
  mentions: readonly MentionEntity[],
  botId: string,
): string {
  const bot = normaliseId(botId);
  const botMentions = mentions.filter((m) => bot !== '' && normaliseId(m.mentionedId) === bot);
  const botNames = new Set(botMentions.map((m) => decodeEntities(m.mentionedName).trim().toLowerCase()));
  let text = rawText;
  for (const m of botMentions) {
    if (m.text) text = text.split(m.text).join(' ');
  }
  text = text.replace(/<at[^>]*>([\s\S]*?)<\/at>/gi, (_whole, inner: string) => {
    const name = decodeEntities(inner).trim();
    if (botNames.has(name.toLowerCase())) return ' ';
    return name.includes(' ') ? `"${name}"` : name;
  });
  text = decodeEntities(stripTags(text));
  text = foldTypography(text);
  return text.replace(/\s+/g, ' ').trim();
}
