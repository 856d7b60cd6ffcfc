import type { ActionArgs, RemediationAction } from '../../domain/actions/action';
import type { Remediation } from '../../domain/remediation/remediation';
import { bulkConfirmationCard } from '../cards/bulk-cards';
import type { CardView } from '../cards/remediation-cards';
import type { AdaptiveCardJson } from '../cards/render';
import type { GraphApi } from '../../infra/graph/graph-api';
import {
  expandBulk,
  isBulkRequest,
  isBulkTarget,
  type BulkResolution,
} from '../../domain/remediation/bulk-target';

/** Defaults for bulk requests. */
export const DEFAULT_MAX_TARGETS = 5000;

/**
 * The TargetResolver's bulk hook: tells a bulk request from a single one, expands it with the read-only
 * client, and draws its confirmation card. Everything else (policy, storage, audit, expiry) stays the
 * TargetResolver's, so a bulk remediation is governed exactly like a single one.
 */
export class BulkPlanner {
  constructor(
    private readonly options: { readonly maxTargets: number } = { maxTargets: DEFAULT_MAX_TARGETS },
  ) {}

  /** True for several named targets or `--group`. */
  applies(action: RemediationAction, args: ActionArgs): boolean {
    return isBulkRequest(action, args);
  }

  resolve(action: RemediationAction, args: ActionArgs, graph: GraphApi): Promise<BulkResolution> {
    return expandBulk(action, args, graph, { maxTargets: this.options.maxTargets });
  }

  /** The confirmation of a pending bulk remediation (undefined for a single one). */
  confirmationCard(r: Remediation, view: CardView): AdaptiveCardJson | undefined {
    return isBulkTarget(r.target) ? bulkConfirmationCard(r, r.target, view) : undefined;
  }
}
