import { enumWords } from '../../../infra/graph/enum-words';
import { listUpTo, type GraphApi, type Listed } from '../../../infra/graph/graph-api';
import { isMissing } from '../../../infra/graph/directory-lookup';
import { eq, isGuid, segment } from '../../../infra/graph/odata';
import { sendRequest, type RemediationAction, type Resolution } from '../action';
import { chooseOne } from '../choose-one';
import type { FailureSignal } from '../diagnosis';
import { diagnoseSignals } from '../diagnosis-facts';
import { CLOUDPC_KNOWLEDGE } from './diagnosis';
import {
  CLOUD_PCS,
  CLOUD_PCS_READ,
  type CloudPc,
  type ProvisioningPolicy,
  type RetryCloudPcPolicyTarget,
} from './target';
import { verifyRetryCloudPcPolicy } from './verify';

/**
 * A policy's Cloud PCs with why each failed (cloudPC.statusDetail), as the policy's card and checks read them,
 * up to {@link CLOUD_PCS_READ}; `complete` false says the policy has more.
 */
export function policyCloudPcs(graph: GraphApi, policyId: string): Promise<Listed<CloudPc>> {
  return listUpTo<CloudPc>(graph, CLOUD_PCS, CLOUD_PCS_READ, {
    version: 'beta',
    query: {
      $filter: eq('provisioningPolicyId', policyId),
      $select: 'id,displayName,status,statusDetail',
    },
  });
}

/** "3 of 40", or "3 of the first 10,000 read (the policy has more)": a count true of part of the policy. */
export function failedOf(failed: number, pcs: Listed<CloudPc>): string {
  return pcs.complete
    ? `${failed.toLocaleString('en-US')} of ${pcs.items.length.toLocaleString('en-US')}`
    : `${failed.toLocaleString('en-US')} of the first ${pcs.ceiling.toLocaleString('en-US')} read (the policy has more)`;
}

/** The failed Cloud PCs a confirmation names; the count says how many more there are. */
const NAMED_CLOUD_PCS = 20;

/** "CPC-FL-1: <statusDetail message> (code)": a failed Cloud PC's line on the card. */
function describePc(pc: CloudPc): string {
  const why = pc.statusDetail?.message ?? 'failed, without a status detail';
  const code = pc.statusDetail?.code ? ` (${pc.statusDetail.code})` : '';
  return `${pc.displayName ?? pc.id}: ${why}${code}`;
}

/** What the knowledge table recognises of a failed Cloud PC: its statusDetail code and message. */
export function cloudPcSignal(pc: CloudPc): FailureSignal {
  return {
    kind: 'cloudpc',
    ...(pc.statusDetail?.code ? { code: pc.statusDetail.code } : {}),
    ...(pc.statusDetail?.message ? { text: pc.statusDetail.message } : {}),
  };
}

const POLICIES = '/deviceManagement/virtualEndpoint/provisioningPolicies';

/** Finds provisioning policies by id or exact display name (case-insensitive). */
export async function findPolicies(graph: GraphApi, query: string): Promise<ProvisioningPolicy[]> {
  if (isGuid(query)) {
    try {
      return [await graph.get<ProvisioningPolicy>(`${POLICIES}/${segment(query)}`, { version: 'beta' })];
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }
  const all = await graph.list<ProvisioningPolicy>(POLICIES, { version: 'beta', maxItems: 5000 });
  const wanted = query.trim().toLowerCase();
  return all.filter((p) => p.displayName?.toLowerCase() === wanted);
}

/** Reads the policy's Cloud PCs that are still failed and diagnoses each: what a later check says is left. */
export async function diagnoseFailedCloudPcs(target: RetryCloudPcPolicyTarget, graph: GraphApi) {
  const pcs = (await policyCloudPcs(graph, target.policy.id)).items;
  const watched = target.failedCloudPcIds;
  const failed = pcs.filter(
    (pc) => pc.status?.toLowerCase() === 'failed' && (!watched || watched.includes(pc.id)),
  );
  return diagnoseSignals(
    graph,
    CLOUDPC_KNOWLEDGE,
    failed.slice(0, NAMED_CLOUD_PCS).map(cloudPcSignal),
    target.policy.id,
  );
}

/** POST /beta/…/provisioningPolicies/{id}/retry: re-runs provisioning of a Frontline shared policy's Cloud PCs. */
export const retryCloudPcPolicy: RemediationAction<RetryCloudPcPolicyTarget> = {
  name: 'retry-cloudpc-policy',
  aliases: ['retry-cloud-pc-policy', 'retry-cloudpc', 'cloudpc'],
  summary: 'Retry provisioning of a Windows 365 Frontline shared Cloud PC policy',
  description:
    'Retries the provisioning of the Cloud PCs of a Frontline shared provisioning policy (Microsoft Graph beta).',
  examples: [
    'retry-cloudpc-policy "Frontline shift workers"',
    'retry-cloudpc-policy 1d164206-bf41-4fd2-8424-a3192d39ffff',
  ],
  syntax: {
    positional: [
      { name: 'policy', placeholder: 'policy', required: true, description: 'Policy id or display name' },
    ],
    flags: [],
  },
  graphVersion: 'beta',
  permission: 'CloudPC.ReadWrite.All',
  roles: ['Cloud PC Administrator', 'Intune Administrator', 'Global Administrator'],

  async resolve(args, graph): Promise<Resolution<RetryCloudPcPolicyTarget>> {
    const query = args.positional.policy ?? '';
    const choice = chooseOne(
      await findPolicies(graph, query),
      args,
      { positional: 'policy' },
      {
        notFound: `No Cloud PC provisioning policy matches "${query}". Use the policy's id or exact name.`,
        ambiguous: (n) => `${n} provisioning policies are named "${query}". Which one?`,
        label: (p) => p.displayName ?? p.id,
        detail: (p) => `${p.id} (${p.provisioningType ? enumWords(p.provisioningType) : 'unknown type'})`,
        id: (p) => p.id,
      },
    );
    if (choice.kind !== 'one') return choice;
    const policy = choice.item;
    const read = await policyCloudPcs(graph, policy.id);
    const pcs = read.items;
    const failedPcs = pcs.filter((pc) => pc.status?.toLowerCase() === 'failed');
    const failedIds = failedPcs.map((pc) => pc.id);
    const failed = failedIds.length;
    const named = failedPcs.slice(0, NAMED_CLOUD_PCS);
    const type = policy.provisioningType ?? 'unknown';
    const shared = /^shared/i.test(type);
    const diagnoses =
      shared && named.length > 0
        ? await diagnoseSignals(graph, CLOUDPC_KNOWLEDGE, named.map(cloudPcSignal), policy.id)
        : [];
    return {
      kind: 'resolved',
      target: {
        policy: { id: policy.id, displayName: policy.displayName, provisioningType: type },
        failedCloudPcs: failed,
        failedCloudPcIds: failedIds,
      },
      confirmation: {
        title: `Retry Cloud PC provisioning policy ${policy.displayName ?? policy.id}`,
        why: read.complete
          ? `${failedOf(failed, read)} Cloud PC${pcs.length === 1 ? '' : 's'} of this policy failed to provision.`
          : `${failed} of the first ${read.ceiling.toLocaleString('en-US')} Cloud PCs of this policy failed to provision; it has more, which the bot did not read.`,
        facts: [
          { title: 'Policy', value: policy.displayName ?? '(no name)' },
          { title: 'Policy id', value: policy.id },
          { title: 'Type', value: enumWords(type) },
          { title: 'Failed Cloud PCs', value: failedOf(failed, read) },
        ],
        problems: [
          ...named.map(describePc),
          ...(failed > named.length ? [`… and ${failed - named.length} more failed Cloud PCs.`] : []),
        ],
        ...(diagnoses.length > 0 ? { diagnoses } : {}),
        ...(shared
          ? {}
          : {
              blocked: `Retry works only for Frontline shared policies; "${policy.displayName ?? policy.id}" is ${enumWords(type)}. Reprovision its failed Cloud PCs one by one in Intune instead.`,
            }),
      },
    };
  },

  request(target) {
    return {
      method: 'POST',
      url: `${POLICIES}/${segment(target.policy.id)}/retry`,
      version: 'beta',
      body: {},
    };
  },

  execute(target, graph) {
    return sendRequest(graph, retryCloudPcPolicy.request(target));
  },

  describe(target) {
    return { id: target.policy.id, label: target.policy.displayName ?? target.policy.id };
  },

  verify: verifyRetryCloudPcPolicy,

  interpret(target, result) {
    return {
      outcome: 'succeeded',
      summary: `Windows 365 accepted the retry of ${target.policy.displayName ?? target.policy.id} (HTTP ${result.status}); its Cloud PCs provision again over the next minutes.`,
      facts: [{ title: 'Failed before retry', value: String(target.failedCloudPcs) }],
      details: [],
    };
  },
};
