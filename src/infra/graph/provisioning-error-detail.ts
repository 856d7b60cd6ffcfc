import { XMLParser, XMLValidator } from 'fast-xml-parser';

import { decodeEntities } from '../html-entities';

/** The longest text a card shows for one error detail. */
export const MAX_DETAIL_LENGTH = 300;

/** Longer details are not parsed (a real one is a few hundred bytes); they get the plain-text fallback. */
const MAX_PARSED_LENGTH = 32_768;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  htmlEntities: true,
});

/** One ErrorRecord of the detail: its code, when the service gave one, and its description. */
export interface ErrorRecord {
  readonly code: string | undefined;
  readonly description: string;
}

function printable(text: string): string {
  return Array.from(text, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 32 || code === 127 ? ' ' : ch;
  }).join('');
}

/** Text without markup, entities or runs of whitespace, at most `max` characters. */
function plain(text: string, max = MAX_DETAIL_LENGTH): string {
  const untagged = text
    .replace(/<!DOCTYPE[^[>]*(\[[\s\S]*?\])?\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/<[^>]*$/, ' ');
  const collapsed = printable(decodeEntities(untagged).replace(/<[^<>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
  return collapsed.length > max ? `${collapsed.slice(0, max - 1)}…` : collapsed;
}

function textOf(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (node && typeof node === 'object' && typeof (node as Record<string, unknown>)['#text'] === 'string') {
    return (node as Record<string, string>)['#text'];
  }
  return undefined;
}

/** Every ErrorRecord below `node`, whatever wraps it (ServiceInstance, ObjectErrors) and whatever its namespace. */
function findRecords(node: unknown, out: ErrorRecord[]): void {
  if (Array.isArray(node)) {
    for (const item of node) findRecords(item, out);
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [name, child] of Object.entries(node as Record<string, unknown>)) {
    if (name === 'ErrorRecord') {
      for (const record of Array.isArray(child) ? child : [child]) {
        const fields = (record ?? {}) as Record<string, unknown>;
        const description = textOf(fields['ErrorDescription']);
        if (description === undefined || plain(description) === '') continue;
        const code = textOf(fields['ErrorCode']);
        out.push({ code: code ? plain(code, 100) : undefined, description: plain(description) });
      }
    } else if (!name.startsWith('@')) {
      findRecords(child, out);
    }
  }
}

function parseRecords(detail: string): ErrorRecord[] {
  if (detail.length > MAX_PARSED_LENGTH || /<!DOCTYPE|<!ENTITY/i.test(detail)) return [];
  if (XMLValidator.validate(detail) !== true) return [];
  const records: ErrorRecord[] = [];
  try {
    findRecords(parser.parse(detail) as unknown, records);
  } catch {
    return [];
  }
  return records;
}

/**
 * A serviceProvisioningXmlError's errorDetail ("Error Information published by the Federated Service as an
 * xml string", serviceProvisioningXmlError page) as one readable line. The services publish
 * `<ServiceInstance><ObjectErrors><ErrorRecord>` with an ErrorCode and an ErrorDescription (Exchange,
 * SharePoint, Teams alike); each record becomes `description (code)`. Anything else, malformed or unknown,
 * becomes its text without markup, entities decoded, whitespace collapsed and the length capped.
 */
export function describeErrorDetail(detail: string | null | undefined): string {
  if (!detail || detail.trim() === '') return 'no detail';
  const records = parseRecords(detail.trim());
  const text =
    records.length > 0
      ? plain(records.map((r) => (r.code ? `${r.description} (${r.code})` : r.description)).join(' · '))
      : plain(detail);
  return text || 'no detail';
}

/**
 * The ErrorRecords of an errorDetail, each with its code and plain description, for the knowledge table to
 * recognise; none when the detail is not the services' XML.
 */
export function errorRecords(detail: string | null | undefined): readonly ErrorRecord[] {
  if (!detail || detail.trim() === '') return [];
  return parseRecords(detail.trim());
}
