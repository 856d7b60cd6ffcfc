import fc from 'fast-check';
import { defaultRegistry } from '../../src/domain/actions/registry';
import { ApprovalHandler } from '../../src/features/remediate/approval-handler';
import { ApproverSignIn, type TokenValidator } from '../../src/features/shared/approver-sign-in';
import type { Remediation } from '../../src/domain/remediation/remediation';
import { RemediationStore } from '../../src/domain/remediation/remediation-store';
import { TargetResolver } from '../../src/features/remediate/target-resolver';
import { AuditLog } from '../../src/domain/audit/audit-log';
import { SsoTokenError } from '../../src/infra/auth/sso-token-validator';
import { CardActionRouter } from '../../src/features/shared/card-action-router';
import type { CardActionTurn, Messenger } from '../../src/features/shared/turns';
import { Authorizer } from '../../src/domain/governance/authorizer';
import type { Governance } from '../../src/domain/governance/governance';
import { defaultPolicy } from '../../src/domain/governance/policy';
import type { GraphApi } from '../../src/infra/graph/graph-api';
import { GraphFailure } from '../../src/infra/graph/graph-failure';
import { createLogger } from '../../src/infra/logger';
import { MemoryStateStore } from '../../src/infra/storage/memory-state-store';
import { channelAddress } from '../unit/channel-address';
import { ManualClock } from '../fakes/manual-clock';

/**
 * Hostile card clicks through the real router, ApprovalHandler, policy and store (in memory): whatever the
 * verb, data, token, clicker and conversation, no exception escapes and Graph is written to only for an
 * approval the policy allows, by a second admin, with a token that proves who clicked.
 */
const NOW = new Date('2026-11-22T12:00:00Z');
const clock = new ManualClock(NOW.getTime());
const ADA = 'a0000000-0000-4000-8000-00000000000a';
const REGGIE = 'a0000000-0000-4000-8000-00000000000b';
const NORA = 'a0000000-0000-4000-8000-00000000000c';
const RID = 'RRRRRRRRRRRRRRRRRRRRRR';
const HOME = channelAddress();

function pending(): Remediation {
  return {
    id: RID,
    action: 'retry-provisioning',
    args: { positional: { user: 'alice@contoso.com' }, flags: {} },
    command: 'retry-provisioning alice@contoso.com',
    target: { user: { id: 'u1', displayName: 'Alice', userPrincipalName: 'alice@contoso.com' } },
    confirmation: { title: 'Retry provisioning for Alice', why: 'errors', facts: [], problems: [] },
    address: HOME,
    requestedBy: { aadObjectId: REGGIE, name: 'Reggie' },
    createdAt: NOW.toISOString(),
    expiresAt: new Date(NOW.getTime() + 3_600_000).toISOString(),
    state: 'pending',
  } as unknown as Remediation;
}

/** Accepts exactly `valid:<oid>` for the clicker's own oid, like the real validator's binding check. */
const validator: TokenValidator = {
  validate: async (token, expectedOid) => {
    const oid = token.startsWith('valid:') ? token.slice('valid:'.length) : undefined;
    if (!oid || !expectedOid || oid !== expectedOid) throw new SsoTokenError('refused');
    return { oid, tenantId: 't', name: 'X', upn: undefined };
  },
};

interface World {
  readonly router: CardActionRouter;
  readonly writes: string[];
  readonly approvals: ApprovalHandler;
}

async function world(): Promise<World> {
  const store = new MemoryStateStore();
  const remediations = new RemediationStore(store);
  await remediations.create(pending());
  const writes: string[] = [];
  const readOnly: GraphApi = {
    get: async () => {
      throw new GraphFailure(404, 'Request_ResourceNotFound', 'not found', undefined, undefined);
    },
    list: async () => [],
    post: async () => {
      throw new Error('the read-only client must never write');
    },
  };
  const writer: GraphApi = {
    ...readOnly,
    post: async (path) => {
      writes.push(path);
      return { status: 204, body: undefined, requestId: 'r', date: undefined };
    },
  };
  const governance: Governance = {
    authorizer: new Authorizer(defaultPolicy([ADA, REGGIE]), { memberOfAny: async () => false }),
    audit: new AuditLog(store, clock),
  };
  const messenger: Messenger = {
    updateCard: async () => undefined,
    postCard: async () => undefined,
    postNotice: async () => undefined,
  };
  const registry = defaultRegistry(clock);
  const approvals = new ApprovalHandler({
    registry,
    store: remediations,
    resolver: new TargetResolver(remediations, () => readOnly, clock, governance),
    signIn: new ApproverSignIn({
      validator,
      exchange: async () => ({ token: 'obo', expiresOn: Date.now() + 3_600_000 }),
      adminConsentUrl: (tenantId) => `https://login.example/${tenantId}/adminconsent`,
      logger: createLogger('silent'),
    }),
    delegatedGraph: () => writer,
    messenger,
    clock,
    deadlineMs: 1000,
    logger: createLogger('silent'),
    governance,
  });
  return { router: new CardActionRouter([approvals]), writes, approvals };
}

const oid = fc.oneof(
  fc.constantFrom(ADA, REGGIE, NORA, ADA.toUpperCase(), ''),
  fc.uuid(),
  fc.constant(undefined),
);
const verb = fc.oneof(
  fc.constantFrom('approve', 'APPROVE', 'reject', 'cancel', 'pick', 'refresh', 'Approve '),
  fc.string(),
  fc.constant(undefined),
);
const data = fc.oneof(
  fc.record({ rid: fc.oneof(fc.constant(RID), fc.string()) }, { requiredKeys: [] }),
  fc.record({ rid: fc.constant(RID), reason: fc.string({ maxLength: 600 }) }),
  fc.record({ sid: fc.string(), pick: fc.oneof(fc.integer(), fc.string()) }),
  fc.jsonValue(),
  fc.anything(),
);
const token = fc.oneof(
  oid.map((o) => `valid:${o ?? ''}`),
  fc.string(),
  fc.constant(undefined),
  fc.constant('a.b.c'),
);
const conversation = fc.oneof(
  fc.constantFrom(HOME.conversationId, '19:home@thread.tacv2', '19:other@thread.tacv2;messageid=1'),
  fc.string(),
);

const turn = fc.record({
  verb,
  data,
  ssoToken: token,
  from: fc.record({ id: fc.string(), aadObjectId: oid, name: fc.string() }),
  conversationId: conversation,
  cardActivityId: fc.option(fc.string(), { nil: undefined }),
});

type Generated = typeof turn extends fc.Arbitrary<infer T> ? T : never;

function toTurn(g: Generated): CardActionTurn {
  return {
    verb: g.verb,
    data: g.data,
    ssoToken: g.ssoToken,
    from: g.from,
    address: { ...HOME, conversationId: g.conversationId },
    cardActivityId: g.cardActivityId,
    origin: { tenantId: 't', teamId: undefined, channelId: undefined },
    correlationId: 'c',
  };
}

/** Whether this click is one that may run the remediation. */
function mayWrite(g: Generated): boolean {
  const rid = (g.data as { rid?: unknown } | null)?.rid;
  return (
    (g.verb ?? '').toLowerCase() === 'approve' &&
    rid === RID &&
    g.conversationId.split(';')[0] === '19:home@thread.tacv2' &&
    g.from.aadObjectId?.toLowerCase() === ADA &&
    g.ssoToken === `valid:${g.from.aadObjectId}`
  );
}

it('no click escapes with an exception, and only an allowed approval writes, once', async () => {
  // One world per batch: a successful approval ends the pending state, so later clicks must not write.
  let w = await world();
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(turn, async (g) => {
      if (++runs % 500 === 0) w = await world();
      const before = w.writes.length;
      const response = await w.router.handle(toTurn(g));
      await w.approvals.drain();
      expect(['card', 'loginRequest', 'error']).toContain(response.kind);
      const wrote = w.writes.length - before;
      if (!mayWrite(g)) expect(wrote).toBe(0);
      expect(w.writes.length).toBeLessThanOrEqual(1);
    }),
    { numRuns: 10_000 },
  );
});

it('an allowed approval writes exactly once however often it is repeated', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 5 }), async (times) => {
      const w = await world();
      const click: Generated = {
        verb: 'approve',
        data: { rid: RID },
        ssoToken: `valid:${ADA}`,
        from: { id: '29:ada', aadObjectId: ADA, name: 'Ada' },
        conversationId: HOME.conversationId,
        cardActivityId: '1',
      };
      await Promise.all(Array.from({ length: times }, () => w.router.handle(toTurn(click))));
      await w.approvals.drain();
      expect(w.writes).toEqual(['/users/u1/retryServiceProvisioning']);
    }),
    { numRuns: 200 },
  );
});
