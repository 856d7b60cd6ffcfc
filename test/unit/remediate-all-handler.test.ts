import { defaultRegistry } from '../../src/actions/registry';
import { RemediationStore } from '../../src/approvals/remediation-store';
import { TargetResolver } from '../../src/approvals/target-resolver';
import { AuditLog } from '../../src/audit/audit-log';
import { BulkPlanner } from '../../src/bulk/bulk-planner';
import { RemediateAllHandler } from '../../src/bulk/remediate-all-handler';
import type { CardActionTurn, Messenger } from '../../src/chat/chat-types';
import { Authorizer } from '../../src/governance/authorizer';
import { defaultPolicy } from '../../src/governance/policy';
import { createLogger } from '../../src/logger';
import { FailureLedger } from '../../src/notifications/failure-ledger';
import { ALICE, aliceFailure, BreakableStore } from './breakable-store';
import { channelAddress } from './channel-address';
import { ScriptedGraph } from './scripted-graph';

/**
 * Remediate all on a digest when the bulk remediation cannot be written: the click says so instead of a
 * generic error, the digest's failures are not left claimed by a remediation that does not exist, and the
 * same button prepares it once the storage is back.
 */
const NOW = new Date('2026-11-23T09:00:00Z');
const clock = { now: () => NOW };
const REGGIE = 'a0000000-0000-4000-8000-00000000000b';
const HOME = channelAddress();

/** One group only, so the first group's card answers the click and nothing is posted or updated. */
const nobodyPosts: Messenger = {
  postCard: () => Promise.reject(new Error('nothing should be posted')),
  updateCard: () => Promise.reject(new Error('nothing should be updated')),
};

async function setup() {
  const store = new BreakableStore();
  const ledger = new FailureLedger(store);
  const remediations = new RemediationStore(store);
  const governance = {
    authorizer: new Authorizer(defaultPolicy([REGGIE]), { memberOfAny: async () => false }),
    audit: new AuditLog(store, clock),
  };
  const graph = new ScriptedGraph({ 'GET /users/alice%40contoso.com': ALICE });
  const handler = new RemediateAllHandler({
    ledger,
    registry: defaultRegistry(clock),
    resolver: new TargetResolver(remediations, () => graph, clock, governance, new BulkPlanner()),
    remediations,
    governance,
    messenger: nobodyPosts,
    bulk: { owns: () => false, card: () => Promise.reject(new Error('no bulk card expected')) },
    logger: createLogger('silent'),
  });
  const notice = await ledger.createNotice(aliceFailure(NOW), HOME.conversationId, NOW);
  const turn: CardActionTurn = {
    verb: 'remediate-all',
    data: { fids: [notice.id] },
    ssoToken: undefined,
    from: { id: '29:reggie', aadObjectId: REGGIE, name: 'Reggie' },
    address: HOME,
    cardActivityId: 'digest-1',
    origin: { tenantId: 't', teamId: undefined, channelId: undefined },
    correlationId: 'corr-1',
  };
  return { store, ledger, handler, notice, turn };
}

it('answers a Remediate all whose remediation cannot be saved with what happened, and works once storage is back', async () => {
  const { store, ledger, handler, notice, turn } = await setup();
  const failed = await handler.handle(turn);
  expect(failed).toMatchObject({ kind: 'error', status: 500, code: 'NotSaved' });
  expect((await ledger.notice(notice.id))?.remediationId).toBeUndefined();
  expect(await store.list('remediation/')).toEqual([]);

  store.broken = false;
  const answered = await handler.handle(turn);
  expect(answered.kind).toBe('card');
  const holder = (await ledger.notice(notice.id))?.remediationId;
  expect(await store.list('remediation/')).toEqual([`remediation/${holder ?? ''}`]);
});
