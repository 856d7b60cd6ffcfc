import { defaultRegistry } from '../../src/actions/registry';
import { RemediationStore } from '../../src/approvals/remediation-store';
import { TargetResolver } from '../../src/approvals/target-resolver';
import { AuditLog } from '../../src/audit/audit-log';
import type { CardActionTurn } from '../../src/chat/chat-types';
import { Authorizer } from '../../src/governance/authorizer';
import { defaultPolicy } from '../../src/governance/policy';
import { createLogger } from '../../src/logger';
import { FailureLedger } from '../../src/notifications/failure-ledger';
import { RemediateHandler } from '../../src/notifications/remediate-handler';
import { ALICE, aliceFailure, BreakableStore } from './breakable-store';
import { channelAddress } from './channel-address';
import { ScriptedGraph } from './scripted-graph';

/**
 * A failure card's Remediate button when the remediation cannot be written: the click says so, nothing is
 * left half-made, and the button prepares the remediation once the storage is back.
 */
const NOW = new Date('2026-11-23T09:00:00Z');
const clock = { now: () => NOW };
const REGGIE = 'a0000000-0000-4000-8000-00000000000b';
const HOME = channelAddress();

async function setup() {
  const store = new BreakableStore();
  const ledger = new FailureLedger(store);
  const remediations = new RemediationStore(store);
  const governance = {
    authorizer: new Authorizer(defaultPolicy([REGGIE]), { memberOfAny: async () => false }),
    audit: new AuditLog(store, clock),
  };
  const graph = new ScriptedGraph({ 'GET /users/alice%40contoso.com': ALICE });
  const handler = new RemediateHandler({
    ledger,
    registry: defaultRegistry(clock),
    resolver: new TargetResolver(remediations, () => graph, clock, governance),
    remediations,
    governance,
    logger: createLogger('silent'),
  });
  const notice = await ledger.createNotice(aliceFailure(NOW), HOME.conversationId, NOW);
  const turn: CardActionTurn = {
    verb: 'remediate',
    data: { fid: notice.id },
    ssoToken: undefined,
    from: { id: '29:reggie', aadObjectId: REGGIE, name: 'Reggie' },
    address: HOME,
    cardActivityId: 'failure-card-1',
    origin: { tenantId: 't', teamId: undefined, channelId: undefined },
    correlationId: 'corr-1',
  };
  return { store, ledger, handler, notice, turn };
}

it('answers a click whose remediation cannot be saved with what happened, and works once storage is back', async () => {
  const { store, ledger, handler, notice, turn } = await setup();
  const failed = await handler.handle(turn);
  expect(failed).toMatchObject({ kind: 'error', status: 500, code: 'NotSaved' });
  expect(failed.kind === 'error' && failed.message).toMatch(/could not be saved, so nothing was run/);
  expect((await ledger.notice(notice.id))?.remediationId).toBeUndefined();
  expect(await store.list('remediation/')).toEqual([]);

  store.broken = false;
  const answered = await handler.handle(turn);
  expect(answered.kind).toBe('card');
  const holder = (await ledger.notice(notice.id))?.remediationId;
  expect(await store.list('remediation/')).toEqual([`remediation/${holder ?? ''}`]);
});
