import { GraphContract, type Violation } from './graph-contract';
import { GRAPH_SURFACE } from './graph-surface';
import { readLatestRun, type Exchange } from './run-log';

/**
 * Runs after the whole jest suite (`npm test` runs it last): every request the fakes recorded is held to
 * Microsoft Graph's published description, and so is every answer the fake gave.
 */
const { dir, exchanges } = readLatestRun();
const contract = new GraphContract();
const product = exchanges.filter((e) => e.product);

interface Finding {
  readonly where: string;
  readonly violation: Violation;
  readonly tests: Set<string>;
}

function summarise(found: Array<{ e: Exchange; where: string; v: Violation }>): string {
  const byKey = new Map<string, Finding>();
  for (const { e, where, v } of found) {
    const key = `${where}\u0000${v.rule}\u0000${v.message}`;
    const f = byKey.get(key) ?? { where, violation: v, tests: new Set<string>() };
    f.tests.add(e.test);
    byKey.set(key, f);
  }
  return [...byKey.values()]
    .map(
      (f) =>
        `${f.where}\n  rule ${f.violation.rule}: ${f.violation.message}\n  see ${f.violation.page}\n  from ${[...f.tests].slice(0, 3).join('; ')}${f.tests.size > 3 ? ` and ${f.tests.size - 3} more` : ''}`,
    )
    .join('\n\n');
}

function describeRequest(e: Exchange): string {
  const q = Object.entries(e.request.query)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `${e.request.method} /${e.request.version ?? '?'}/${e.request.segments.join('/')}${q ? `?${q}` : ''}`;
}

describe('Graph contract over the whole suite', () => {
  it('has the exchanges of a full run to check', () => {
    expect(
      `${product.length} product requests in ${dir ?? 'no finished run: run npm run test:jest first'}`,
    ).toMatch(/^[1-9]\d{2,} /);
  });

  it('every request the product sent is one the published description allows', () => {
    const found = product.flatMap((e) =>
      contract.checkRequest(e.request, true).violations.map((v) => ({ e, where: describeRequest(e), v })),
    );
    expect(summarise(found)).toBe('');
  });

  it('every answer the fake gave is what the description says that request returns', () => {
    const found = exchanges.flatMap((e) => {
      const { resolved } = contract.checkRequest(e.request, false);
      if (!resolved) return [];
      return contract
        .checkResponse(e.request, resolved, e.response)
        .map((v) => ({ e, where: `answer ${e.response.status} to ${describeRequest(e)}`, v }));
    });
    expect(summarise(found)).toBe('');
  });

  it('the suite exercises every call of the product surface', () => {
    const seen = new Set<string>();
    for (const e of product) {
      const { resolved } = contract.checkRequest(e.request, false);
      if (!resolved) continue;
      seen.add(`${e.request.method} /${e.request.version}${resolved.template}`);
      const items = (e.request.body as { requests?: Array<{ method?: string; url?: string }> } | undefined)
        ?.requests;
      if (resolved.target !== 'batch' || !items) continue;
      for (const item of items) {
        const url = new URL(String(item.url ?? '').replace(/^\/?/, '/'), 'https://graph.invalid');
        const inner = contract.checkRequest(
          {
            method: item.method ?? 'GET',
            version: e.request.version,
            segments: url.pathname.split('/').filter(Boolean).map(decodeURIComponent),
            query: {},
            headers: {},
            body: undefined,
            hasBody: false,
          },
          false,
        ).resolved;
        if (inner) seen.add(`${item.method} /${e.request.version}${inner.template} (in a batch)`);
      }
    }
    const missing = GRAPH_SURFACE.map((c) => `${c.method} /${c.version}${c.path}`).filter(
      (c) => !seen.has(c) && !seen.has(`${c} (in a batch)`),
    );
    expect(missing).toEqual([]);
  });
});
