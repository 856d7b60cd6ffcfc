import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { GraphDescription } from './description';
import { GRAPH_SURFACE, type GraphCall } from './graph-surface';

export const README_PATH = join(__dirname, '..', '..', 'README.md');
const MANIFEST_PATH = join(__dirname, '..', '..', 'aad.manifest.json');

const BEGIN =
  '<!-- graph-calls:begin (written by npm run graph:contract from test/contract/graph-surface.ts) -->';
const END = '<!-- graph-calls:end -->';

interface ManifestAccess {
  readonly id: string;
  readonly type: 'Scope' | 'Role';
}

/** The Graph permissions aad.manifest.json requests: delegated (Scope) and application (Role). */
export function manifestPermissions(): { delegated: Set<string>; application: Set<string> } {
  const manifest = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as {
    requiredResourceAccess: Array<{ resourceAppId: string; resourceAccess: ManifestAccess[] }>;
  };
  const graph = manifest.requiredResourceAccess.find((r) => r.resourceAppId === 'Microsoft Graph');
  const of = (type: ManifestAccess['type']) =>
    new Set((graph?.resourceAccess ?? []).filter((a) => a.type === type).map((a) => a.id));
  return { delegated: of('Scope'), application: of('Role') };
}

/** True when the granted set holds the option (an option may need two permissions: `A and B`). */
export function grants(granted: ReadonlySet<string>, option: string): boolean {
  return option.split(' and ').every((p) => granted.has(p.trim()));
}

/** The option the app registration grants, or the page's least privileged one when none is granted. */
function shown(options: readonly string[] | undefined, granted: ReadonlySet<string>): string {
  if (!options || options.length === 0) return '—';
  return options.find((o) => grants(granted, o)) ?? options[0] ?? '—';
}

function row(call: GraphCall, granted: ReturnType<typeof manifestPermissions>): string {
  const token = { app: 'app', approver: 'approver', both: 'app or approver' }[call.identity];
  const path = call.path.replace(/\|/g, '\\|');
  return `| \`${call.method} /${call.version}${path}\` | ${call.purpose} | ${token} | ${shown(call.delegated, granted.delegated)} | ${shown(call.application, granted.application)} | [page](${call.page}) |`;
}

/** The README's table of Graph calls, generated so it cannot drift from the surface the contract checks. */
export function graphSection(description: GraphDescription): string {
  const granted = manifestPermissions();
  const source = (v: 'v1.0' | 'beta') => {
    const s = description.sources[v];
    return `[${s.file}@${s.commit.slice(0, 7)}](${s.repository}/blob/${s.commit}/${s.file})`;
  };
  return [
    BEGIN,
    '<!-- prettier-ignore-start -->',
    '| call | used for | token | delegated permission | application permission | API page |',
    '| ---- | -------- | ----- | -------------------- | ---------------------- | -------- |',
    ...GRAPH_SURFACE.map((c) => row(c, granted)),
    '',
    `Every request the test suite sends is checked against Microsoft's published description: ${source('v1.0')} and ${source('beta')}. See [docs/graph-contract.md](docs/graph-contract.md).`,
    '<!-- prettier-ignore-end -->',
    END,
  ].join('\n');
}

/** The README with its Graph section replaced by a freshly generated one. */
export function withGraphSection(readme: string, description: GraphDescription): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${BEGIN} … ${END} section`);
  return `${readme.slice(0, start)}${graphSection(description)}${readme.slice(end + END.length)}`;
}

/** The README's current Graph section, for the test that it is up to date. */
export function currentGraphSection(readme: string): string | undefined {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  return start < 0 || end < start ? undefined : readme.slice(start, end + END.length);
}
