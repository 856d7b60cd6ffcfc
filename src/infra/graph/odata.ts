/**
 * OData string literal: single quotes doubled, as the OData ABNF requires. Chat text only ever reaches a
 * $filter through this, so a quote in a display name cannot end the literal and change the query.
 */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `field eq 'value'`, with the value escaped. */
export function eq(field: string, value: string): string {
  return `${field} eq ${odataString(value)}`;
}

/** A path segment from user input: percent-encoded so `/`, `?` or `#` cannot reshape the URL. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

/** A GUID's characters, for patterns that hold one among other text (a name followed by its id). */
export const GUID_PATTERN = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** A whole value that is a GUID, in either case: object ids, tenant ids. */
export const GUID = new RegExp(`^${GUID_PATTERN}$`, 'i');

/** Directory object ids are GUIDs; anything else is looked up by name. */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}
