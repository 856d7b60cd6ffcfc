/** Splitting failed; the message is shown to the user as is. */
export class TokenizeError extends Error {}

/** One word of a command line; a word that starts with a quote is a value, never an option. */
export interface Word {
  readonly text: string;
  readonly quoted: boolean;
}

/** The words of a command line as plain strings. */
export function tokenize(line: string): string[] {
  return tokenizeWords(line).map((w) => w.text);
}

/**
 * Splits a command line into words: whitespace separates, double or single quotes keep spaces inside one
 * word ("Alice Smith"). Quotes are removed; an unmatched quote is an error rather than a guess.
 */
export function tokenizeWords(line: string): Word[] {
  const words: Word[] = [];
  let current = '';
  let inWord = false;
  let quoted = false;
  let quote: '"' | "'" | undefined;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      if (ch === "'" && inWord && current !== '') {
        current += ch;
        continue;
      }
      quote = ch;
      if (!inWord) quoted = true;
      inWord = true;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push({ text: current, quoted });
      current = '';
      inWord = false;
      quoted = false;
      continue;
    }
    current += ch;
    inWord = true;
  }
  if (quote) throw new TokenizeError(`A quote (${quote}) is not closed.`);
  if (inWord) words.push({ text: current, quoted });
  return words;
}
