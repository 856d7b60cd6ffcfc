/**
 * Log entries on disk and in blobs as RFC 7464 JSON text sequences: each entry starts with a record separator
 * and ends with a line feed. A write cut short by a crash leaves one unreadable record, never a merged one,
 * because the next entry starts at its own separator; `jq --seq` reads the files as they are.
 */
const RS = '\u001e';

/** One entry as appended to a log. */
export function encodeEntry(entry: unknown): string {
  return `${RS}${JSON.stringify(entry)}\n`;
}

/** A log's entries in order, skipping a record that a crash cut short. */
export function decodeEntries<T>(text: string): T[] {
  const entries: T[] = [];
  for (const record of text.split(RS)) {
    if (record.trim() === '') continue;
    try {
      entries.push(JSON.parse(record) as T);
    } catch {
      continue;
    }
  }
  return entries;
}
