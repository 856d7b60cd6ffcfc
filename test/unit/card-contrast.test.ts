import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const CARDS = path.resolve(__dirname, '..', '..', 'cards');

/** Text colours that stay readable on a card's default (white or dark) background. */
const READABLE = new Set(['Default', 'Accent', 'Attention', 'Dark', 'Light']);

/** Every TextBlock and TextRun of a template with the colour it asks for, and where it is. */
function coloured(node: unknown, where: string, out: Array<[string, string]>): Array<[string, string]> {
  if (Array.isArray(node)) node.forEach((n, i) => coloured(n, `${where}[${i}]`, out));
  else if (node && typeof node === 'object') {
    const n = node as Record<string, unknown>;
    if ((n.type === 'TextBlock' || n.type === 'TextRun') && typeof n.color === 'string') {
      out.push([`${where} (${String(n.text)})`, n.color]);
    }
    for (const [k, v] of Object.entries(n)) coloured(v, `${where}.${k}`, out);
  }
  return out;
}

describe('card contrast', () => {
  const templates = readdirSync(CARDS).filter((f) => f.endsWith('.json'));

  it.each(templates)('%s colours no text yellow or light green, nor by data', (file) => {
    const card: unknown = JSON.parse(readFileSync(path.join(CARDS, file), 'utf8'));
    const unreadable = coloured(card, file, []).filter(
      ([where, color]) => !READABLE.has(color) && !isLineRun(where, color),
    );
    expect(unreadable).toEqual([]);
  });
});

/** Per-target lines of a bulk card take their colour from data typed to Default or Attention only (BulkOutcomeLine). */
function isLineRun(where: string, color: string): boolean {
  return where.startsWith('bulk-progress.json') && where.includes('inlines') && color === '${color}';
}
