import fc from 'fast-check';
import { defaultRegistry } from '../../src/domain/actions/registry';
import { RemediationStore } from '../../src/domain/remediation/remediation-store';
import { AuditLog } from '../../src/domain/audit/audit-log';
import { historyCommand, statusCommand } from '../../src/features/audit/audit-commands';
import { parseCommand } from '../../src/features/commands/command-parser';
import { Authorizer } from '../../src/domain/governance/authorizer';
import { defaultPolicy } from '../../src/domain/governance/policy';
import { MemoryStateStore } from '../../src/infra/storage/memory-state-store';
import { extractCommandText, type MentionEntity } from '../../src/features/commands/text-cleanup';
import { findServicePrincipals, findUsers } from '../../src/infra/graph/directory-lookup';
import type { GraphApi } from '../../src/infra/graph/graph-api';
import { GraphFailure } from '../../src/infra/graph/graph-failure';
import { eq, segment } from '../../src/infra/graph/odata';
import { parseFilter, type FilterExpr } from '../fakes';
import { ManualClock } from '../fakes/manual-clock';

/**
 * Hostile chat text: the clean-up and the parser never throw whatever arrives, and no name can reshape a
 * Graph query. The oracle for queries is the contract's OData parser (test/contract/odata-filter.ts), written
 * independently of src/infra/graph/odata.ts.
 */
const clock = new ManualClock(Date.parse('2026-11-22T12:00:00Z'));
const registry = defaultRegistry(clock);
const store = new MemoryStateStore();
const auditDeps = {
  registry,
  store: new RemediationStore(store),
  governance: {
    authorizer: new Authorizer(defaultPolicy([]), { memberOfAny: async () => false }),
    audit: new AuditLog(store, clock),
  },
  clock,
};
/** The real built-in commands' specs (history has flags, status a positional). */
const BUILT_INS = [historyCommand(auditDeps), statusCommand(auditDeps)];
const BOT_ID = '28:bot';

const fragment = fc.oneof(
  fc.constantFrom(
    'retry-provisioning',
    'reprocess-license',
    'retry-cloudpc-policy',
    'reprocess-access-request',
    'provision-on-demand',
    'help',
    '?',
    'history',
    '--app',
    '--job',
    '--user',
    '—app',
    '–',
    '--',
    '=',
    '"',
    "'",
    '“',
    '”',
    '‘',
    '’',
    '<at>Bot</at>',
    '<at>Fix &amp; Co</at>',
    '<at>',
    '</at>',
    '&amp;',
    '&lt;',
    '&#39;',
    '&#x27;',
    '&#xFFFFFF;',
    '&#99999999;',
    "' or 1 eq 1 or displayName eq '",
    ' eq ',
    ' or ',
    '$filter=',
    '%27',
    '%2F',
    '\u0000',
    '\u202e',
    '\ud800',
    '🔥',
    ' ',
    '\t',
    '\n',
  ),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ maxLength: 20 }),
);
const text = fc.array(fragment, { maxLength: 15 }).map((parts) => parts.join(''));
const mentions = fc.array(
  fc.record({
    text: fc.oneof(fc.constantFrom('<at>Bot</at>', '<at>Fix & Co</at>', ''), fc.string({ maxLength: 20 })),
    mentionedId: fc.oneof(fc.constant(BOT_ID), fc.string({ maxLength: 10 })),
    mentionedName: fc.oneof(fc.constantFrom('Bot', 'Fix &amp; Co'), fc.string({ maxLength: 10 })),
  }),
  { maxLength: 3 },
);

describe('text clean-up and parser', () => {
  it('never throw, and an action always names a registered command with string arguments', () => {
    fc.assert(
      // Plain boolean checks in the hot loop: jest's expect costs more than the code under test.
      fc.property(text, mentions, (raw, ms: MentionEntity[]) => {
        const cleaned = extractCommandText(raw, ms, BOT_ID);
        if (typeof cleaned !== 'string') return false;
        const parsed = parseCommand(cleaned, registry, BUILT_INS);
        switch (parsed.kind) {
          case 'action':
            return (
              registry.find(parsed.action.name) === parsed.action &&
              [...Object.values(parsed.args.positional), ...Object.values(parsed.args.flags)].every(
                (v) => typeof v === 'string',
              )
            );
          case 'error':
            return parsed.message.length > 0;
          default:
            return ['empty', 'help', 'builtin'].includes(parsed.kind);
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it('reads any double-quoted name as exactly that one argument', () => {
    const name = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
      .filter((s) => !s.includes('"') && s.trim() !== '');
    fc.assert(
      fc.property(name, (n) => {
        const parsed = parseCommand(`retry-provisioning "${n}"`, registry);
        expect(parsed.kind).toBe('action');
        if (parsed.kind === 'action') expect(parsed.args.positional).toEqual({ user: n });
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('OData: quotes and operators in a name cannot change a query', () => {
  const anyName = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc
      .array(fc.constantFrom("'", "''", ' or ', ' and ', ' eq ', '(', ')', 'startswith(', ',', 'x'), {
        maxLength: 12,
      })
      .map((p) => p.join('')),
  );

  it('eq(field, s) parses back to exactly one literal equal to s', () => {
    fc.assert(
      fc.property(anyName, (s) => {
        expect(parseFilter(eq('displayName', s))).toEqual({
          kind: 'compare',
          op: 'eq',
          left: { kind: 'path', segments: ['displayName'] },
          right: { kind: 'string', value: s },
        });
      }),
      { numRuns: 10_000 },
    );
  });

  /** Records the $filter and path of every read a lookup makes. */
  function recordingGraph(): { graph: GraphApi; filters: string[]; paths: string[] } {
    const filters: string[] = [];
    const paths: string[] = [];
    const graph: GraphApi = {
      get: async (path) => {
        paths.push(path);
        throw new GraphFailure(404, 'Request_ResourceNotFound', 'not found', undefined, undefined);
      },
      list: async (path, options) => {
        paths.push(path);
        const filter = options?.query?.['$filter'];
        if (filter !== undefined) filters.push(filter);
        return [];
      },
      post: async () => {
        throw new Error('lookups never write');
      },
    };
    return { graph, filters, paths };
  }

  function literals(expr: FilterExpr): string[] {
    switch (expr.kind) {
      case 'compare':
        return expr.op === 'eq' && expr.right.kind === 'string' ? [expr.right.value] : [`<${expr.op}>`];
      case 'or':
      case 'and':
        return [...literals(expr.left), ...literals(expr.right)];
      default:
        return [`<${expr.kind}>`];
    }
  }

  it('a user lookup by any text sends filters whose every literal is the (trimmed) text', async () => {
    await fc.assert(
      fc.asyncProperty(anyName, async (s) => {
        const { graph, filters, paths } = recordingGraph();
        await findUsers(graph, s);
        for (const f of filters) {
          const parsed = parseFilter(f);
          for (const literal of literals(parsed)) expect(literal).toBe(s.trim());
        }
        for (const p of paths) expect(p.split('/').length).toBe(p === '/users' ? 2 : 3);
      }),
      { numRuns: 10_000 },
    );
  });

  it('an app lookup by any text does the same', async () => {
    await fc.assert(
      fc.asyncProperty(anyName, async (s) => {
        const { graph, filters } = recordingGraph();
        await findServicePrincipals(graph, s).catch(() => undefined);
        for (const f of filters)
          for (const literal of literals(parseFilter(f))) expect(literal).toBe(s.trim());
      }),
      { numRuns: 2_000 },
    );
  });

  it('a path segment cannot add a path, query or fragment', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
        const seg = segment(s);
        expect(seg).not.toMatch(/[/?#]/);
        expect(decodeURIComponent(seg)).toBe(s);
      }),
      { numRuns: 10_000 },
    );
  });
});
