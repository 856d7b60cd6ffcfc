import { describeUser, type DirectoryUser } from '../../infra/graph/directory-lookup';
import type { GraphApi } from '../../infra/graph/graph-api';
import { isLicenseInError, licenseErrorOf } from '../../infra/graph/license-states';
import { describeErrorDetail, errorRecords } from '../../infra/graph/provisioning-error-detail';
import { userFacts } from '../actions/resolve-user';
import { USER_PROVISIONING_KNOWLEDGE } from '../actions/retry-provisioning/diagnosis';
import { LICENSE_KNOWLEDGE, withUserFacts } from '../actions/reprocess-license/diagnosis';
import { licenceNames } from '../actions/reprocess-license/licence-names';
import { tenantProducts } from '../actions/diagnosis-facts';
import type { Diagnosis, FailureSignal } from '../actions/diagnosis';
import { failedRequestsOf } from '../actions/reprocess-access-request/action';
import { requestFinding } from './request-findings';
import { logFindings } from './sync-findings';
import {
  diagnoseEach,
  fromSource,
  partlyRead,
  type Finding,
  type SourceFindings,
  type TargetFindings,
} from './finding';

/** The user's unresolved service provisioning errors: one finding per ErrorRecord (or per error without XML). */
async function provisioningFindings(user: DirectoryUser, graph: GraphApi): Promise<Finding[]> {
  const rows = (user.serviceProvisioningErrors ?? [])
    .filter((e) => e.isResolved !== true)
    .flatMap((e) => {
      const instance = e.serviceInstance ?? 'unknown service';
      const service = instance.split('/')[0] ?? '';
      const records = errorRecords(e.errorDetail);
      const texts =
        records.length > 0
          ? records.map((r) => ({ code: r.code, text: r.description }))
          : [{ code: undefined, text: describeErrorDetail(e.errorDetail) }];
      return texts.map((t) => ({ instance, service, when: e.createdDateTime, ...t }));
    });
  const signals: FailureSignal[] = rows.map((r) => ({
    kind: 'user-provisioning',
    service: r.service,
    ...(r.code ? { code: r.code } : {}),
    text: r.text,
  }));
  const diagnoses = await diagnoseEach(graph, USER_PROVISIONING_KNOWLEDGE, signals, user.id);
  return rows.map((r, i) => ({
    kind: 'user-provisioning',
    what: `${r.instance}: ${r.text}`,
    code: r.code ?? `ProvisioningError/${r.service || 'unknown'}`,
    ...(r.when ? { when: { word: 'Since', at: r.when } } : {}),
    diagnosis: diagnoses[i] as Diagnosis,
    remediation: { action: 'retry-provisioning', target: user.id },
  }));
}

const DIRECT =
  'This licence is assigned directly, and reprocessing re-evaluates only group-based licences (user: reprocessLicenseAssignment). Fix the assignment under the user’s Licenses in Entra.';

/** The user's licence assignments in error, direct and from groups; only group-based ones can be reprocessed. */
async function licenceFindings(user: DirectoryUser, graph: GraphApi): Promise<Finding[]> {
  const states = (user.licenseAssignmentStates ?? []).filter(isLicenseInError);
  if (states.length === 0) return [];
  const signals: FailureSignal[] = states.map((s) => ({
    kind: 'license',
    ...(s.skuId ? { service: s.skuId } : {}),
    code: licenseErrorOf(s) ?? s.state ?? 'Error',
  }));
  const tenantSkus = tenantProducts(graph);
  const [diagnoses, named] = await Promise.all([
    diagnoseEach(graph, LICENSE_KNOWLEDGE, signals, user.id, tenantSkus),
    licenceNames(graph, states, tenantSkus),
  ]);
  return states.map((s, i) => {
    const code = signals[i]?.code ?? 'Error';
    const product = (s.skuId && named.products.get(s.skuId)) || s.skuId || 'unknown product';
    const group = s.assignedByGroup;
    const origin = group ? `from group ${named.groups.get(group) ?? group}` : 'assigned directly';
    return {
      kind: 'license',
      what: `${product} (${origin}): ${s.state ?? 'Error'}, ${code}`,
      code,
      ...(s.lastUpdatedDateTime ? { when: { word: 'Last updated', at: s.lastUpdatedDateTime } } : {}),
      diagnosis: withUserFacts(diagnoses[i] as Diagnosis, user, named.skus),
      ...(group
        ? { remediation: { action: 'reprocess-license', target: user.id } }
        : { noRemediation: DIRECT }),
    };
  });
}

/**
 * The user's access package requests that failed delivery. The list page documents a filter on `state` only,
 * so the failed requests are read and the user's are picked by requestor, as reprocess-access-request does.
 */
function requestFindings(user: DirectoryUser, graph: GraphApi, now: Date): Promise<SourceFindings> {
  return fromSource('access package requests', async () => {
    const mine = await failedRequestsOf(graph, user.id);
    return {
      findings: await Promise.all(mine.items.map((r) => requestFinding(r, graph, now))),
      unread: partlyRead("tenant's failed access package requests", mine),
    };
  });
}

/**
 * Every failure signal of one user, read with the app's read-only client: unresolved service provisioning
 * errors, licence assignments in error, access package requests that failed delivery and failed app
 * provisioning of the last day. The user is as the look-up read them (findUsers selects the errors, the
 * licence states and the usage location); a refused read of the requests or of the provisioning log is
 * reported, and the rest is still shown.
 */
export async function userFindings(user: DirectoryUser, graph: GraphApi, now: Date): Promise<TargetFindings> {
  const self = user.id.toLowerCase();
  const [provisioning, licences, requests, apps] = await Promise.all([
    provisioningFindings(user, graph),
    licenceFindings(user, graph),
    requestFindings(user, graph, now),
    logFindings(graph, now, (f) => f.userId.toLowerCase() === self, user.id),
  ]);
  return {
    targetKind: 'user',
    id: user.id,
    label: describeUser(user),
    facts: [
      ...userFacts(user),
      {
        title: 'Account',
        value: user.accountEnabled === false ? 'disabled: sign-in is blocked' : 'enabled',
      },
      { title: 'Usage location', value: user.usageLocation || 'not set' },
    ],
    findings: [...provisioning, ...licences, ...requests.findings, ...apps.findings],
    unread: [...requests.unread, ...apps.unread],
  };
}
