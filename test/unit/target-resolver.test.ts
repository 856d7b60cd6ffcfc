import type { ResolveContext } from '../../src/features/remediate/target-resolver';
import { channelAddress } from './channel-address';
import { REGGIE, resolverScene } from './resolver-scene';

/**
 * The records behind a confirmation card are written before the card is handed back, so no card ever offers
 * a request that does not exist; a card that replaces a clicked one records that message's id at once.
 */
const NOW = new Date('2026-11-22T12:00:00Z');
const HOME = channelAddress();

function setup() {
  const { registry, remediations, resolver, requestsAudited: auditedRequests } = resolverScene(NOW);
  const action = registry.find('retry-provisioning');
  if (!action) throw new Error('retry-provisioning is not registered');
  const args = { positional: { user: 'alice@contoso.com' }, flags: {} };
  const ctx: ResolveContext = {
    from: { id: '29:reggie', aadObjectId: REGGIE, name: 'Reggie' },
    address: HOME,
    command: 'retry-provisioning alice@contoso.com',
    correlationId: 'corr-1',
  };
  return { remediations, resolver, action, args, ctx, auditedRequests };
}

it('writes the pending remediation and its audit entry before it hands back the card', async () => {
  const { remediations, resolver, action, args, ctx, auditedRequests } = setup();
  const resolved = await resolver.resolve(action, args, ctx);
  const id = resolved.remediation?.id;
  if (!id) throw new Error('expected a remediation');
  const stored = await remediations.get(id);
  expect(stored?.state).toBe('pending');
  expect(stored?.cardActivityId).toBeUndefined();
  expect(await auditedRequests()).toBe(1);
});

it('resolve records the clicked card the confirmation replaces', async () => {
  const { remediations, resolver, action, args, ctx } = setup();
  const resolved = await resolver.resolve(action, args, { ...ctx, cardActivityId: 'failure-card-7' });
  const id = resolved.remediation?.id;
  if (!id) throw new Error('expected a remediation');
  expect((await remediations.get(id))?.cardActivityId).toBe('failure-card-7');
});
