import type { GraphApi } from '../../../infra/graph/graph-api';
import { segment } from '../../../infra/graph/odata';
import { cleanText, type DetectedFailure } from '../../failures/failure';
import type { Detector } from '../../failures/detector';
import { readPass } from '../../failures/paged-pass';

interface CloudPc {
  readonly id: string;
  readonly displayName?: string;
  readonly status?: string;
  readonly provisioningPolicyId?: string;
  readonly provisioningPolicyName?: string | null;
  readonly statusDetail?: { readonly code?: string; readonly message?: string } | null;
}

/**
 * Cloud PCs whose provisioning failed (filtered by Graph), one failure per provisioning policy (the retry acts
 * on a policy), read within the cycle's page budget.
 */
export const cloudPcDetector: Detector<'cloudpc'> = {
  kind: 'cloudpc',
  nature: 'state',
  async detect(ctx) {
    const { graph, now } = ctx;
    const pass = await readPass<CloudPc>(ctx, '/deviceManagement/virtualEndpoint/cloudPCs', {
      version: 'beta',
      query: { $filter: "status eq 'failed'" },
    });
    const byPolicy = new Map<string, CloudPc[]>();
    for (const pc of pass.items) {
      if (pc.status !== 'failed' || !pc.provisioningPolicyId) continue;
      byPolicy.set(pc.provisioningPolicyId, [...(byPolicy.get(pc.provisioningPolicyId) ?? []), pc]);
    }
    const failures: DetectedFailure<'cloudpc'>[] = [];
    for (const [policyId, failed] of byPolicy) {
      const codes = [
        ...new Set(failed.map((pc) => pc.statusDetail?.code).filter((c): c is string => !!c)),
      ].sort();
      const names = failed.map((pc) => pc.displayName ?? pc.id);
      const policyName =
        failed.find((pc) => pc.provisioningPolicyName)?.provisioningPolicyName ??
        (await policyDisplayName(graph, policyId));
      const detail = failed.find((pc) => pc.statusDetail?.message)?.statusDetail?.message;
      failures.push({
        kind: 'cloudpc',
        objectId: policyId,
        objectLabel: policyName ?? policyId,
        errorCode: codes.length > 0 ? codes.join(',') : 'provisioningFailed',
        errorMessage: cleanText(
          `${failed.length} Cloud PC${failed.length === 1 ? '' : 's'} failed: ${names.slice(0, 10).join(', ')}${names.length > 10 ? '…' : ''}.${detail ? ` ${detail}` : ''}`,
        ),
        occurredAt: now.toISOString(),
        remediation: { action: 'retry-cloudpc-policy', target: policyId },
      });
    }
    return { failures, partial: pass.partial, position: pass.position };
  },
};

async function policyDisplayName(graph: GraphApi, policyId: string): Promise<string | undefined> {
  try {
    const policy = await graph.get<{ displayName?: string }>(
      `/deviceManagement/virtualEndpoint/provisioningPolicies/${segment(policyId)}`,
      { version: 'beta', query: { $select: 'id,displayName' } },
    );
    return policy.displayName;
  } catch {
    return undefined;
  }
}
