import { verifyReprocessLicense } from '../../src/domain/actions/reprocess-license/verify';
import { verifyRetryProvisioning } from '../../src/domain/actions/retry-provisioning/verify';
import type { GraphApi } from '../../src/infra/graph/graph-api';

/** A Graph read that answers one body, so each check's own rule is tested alone. */
function answering(body: unknown): GraphApi {
  return {
    get: <T>() => Promise.resolve(body as T),
    list: () => Promise.reject(new Error('not used')),
    post: () => Promise.reject(new Error('a check never writes')),
  };
}

const user = { id: 'u1', displayName: 'Alice Smith', userPrincipalName: 'alice@contoso.com' };
const exchange = 'exchange/namprd11-001-01';
const error = (serviceInstance: string, isResolved: boolean) => ({
  serviceInstance,
  isResolved,
  errorDetail: 'x',
});

describe('retry-provisioning: resolved when the services that were failing have no unresolved error', () => {
  it.each<[string, readonly string[] | undefined, unknown[], string]>([
    ['the error is resolved', [exchange], [error(exchange, true)], 'resolved'],
    ['the error is still open', [exchange], [error(exchange, false)], 'failing'],
    ['only another service fails now', [exchange], [error('teams/emea', false)], 'resolved'],
    [
      'an old record without the services: any open error',
      undefined,
      [error('teams/emea', false)],
      'failing',
    ],
  ])('%s', async (_what, failingServices, errors, kind) => {
    const target = { user, unresolvedErrors: 1, ...(failingServices ? { failingServices } : {}) };
    const found = await verifyRetryProvisioning(
      target,
      answering({ id: 'u1', serviceProvisioningErrors: errors }),
    );
    expect(found.kind).toBe(kind);
  });
});

describe('reprocess-license: resolved when no licence assignment is in error', () => {
  it.each<[string, unknown[], string]>([
    ['every state active', [{ skuId: 's1', state: 'Active', error: null }], 'resolved'],
    ['"None" is no error', [{ skuId: 's1', state: 'Active', error: 'None' }], 'resolved'],
    ['Error', [{ skuId: 's1', state: 'Error', error: 'CountViolation' }], 'failing'],
    ['ActiveWithError', [{ skuId: 's1', state: 'ActiveWithError', error: 'None' }], 'failing'],
  ])('%s', async (_what, states, kind) => {
    const found = await verifyReprocessLicense(
      { user },
      answering({ id: 'u1', licenseAssignmentStates: states }),
    );
    expect(found.kind).toBe(kind);
  });
});
