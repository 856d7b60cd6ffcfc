/** Splitting failed; the message is shown to the user as is. */
export class TokenizeError extends Error {}

/**
 * Splits a command line into words: whitespace separates, double or single quotes keep spaces inside one
 * word ("Alice Smith"). Quotes are removed; an unmatched quote is an error rather than a guess.
 */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
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
      inWord = true;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
      continue;
    }
    current += ch;
    inWord = true;
  }
  if (quote) throw new TokenizeError(`A quote (${quote}) is not closed.`);
  if (inWord) words.push(current);
  return words;
}
