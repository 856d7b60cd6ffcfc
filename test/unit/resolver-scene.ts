import { defaultRegistry } from '../../src/domain/actions/registry';
import { RemediationStore } from '../../src/domain/remediation/remediation-store';
import { TargetResolver } from '../../src/features/remediate/target-resolver';
import { AuditLog } from '../../src/domain/audit/audit-log';
import { Authorizer } from '../../src/domain/governance/authorizer';
import { defaultPolicy } from '../../src/domain/governance/policy';
import { MemoryStateStore } from '../../src/infra/storage/memory-state-store';
import { ScriptedGraph } from './scripted-graph';
import { ManualClock } from '../fakes/manual-clock';

/** The requester the default policy of {@link resolverScene} lets request. */
export const REGGIE = 'a0000000-0000-4000-8000-00000000000b';

/** A user with one unresolved service provisioning error, as Graph answers the look-up. */
export const ALICE = {
  id: '11111111-1111-1111-1111-111111111111',
  displayName: 'Alice Smith',
  userPrincipalName: 'alice@contoso.com',
  serviceProvisioningErrors: [{ serviceInstance: 'teams', isResolved: false, errorDetail: 'conflict' }],
};

/**
 * A TargetResolver over a memory store, for unit tests of what is written behind a confirmation card: Graph
 * knows Alice, Reggie may request, and `requestsAudited` counts the 'requested' entries of the audit trail.
 */
export function resolverScene(now: Date, store: MemoryStateStore = new MemoryStateStore()) {
  const clock = new ManualClock(now.getTime());
  const remediations = new RemediationStore(store);
  const audit = new AuditLog(store, clock);
  const governance = {
    authorizer: new Authorizer(defaultPolicy([REGGIE]), { memberOfAny: async () => false }),
    audit,
  };
  const graph = new ScriptedGraph({ 'GET /users/alice%40contoso.com': ALICE });
  const registry = defaultRegistry(clock);
  const resolver = new TargetResolver(remediations, () => graph, clock, governance);
  const requestsAudited = async () =>
    (await audit.query({ limit: 10 })).entries.filter((e) => e.event === 'requested').length;
  return { registry, remediations, resolver, requestsAudited };
}
