import type { RemediationAction } from './action';
import { provisionOnDemand } from './provision-on-demand/action';
import { createReprocessAccessRequest } from './reprocess-access-request/action';
import type { Clock } from '../../clock';
import { reprocessLicense } from './reprocess-license/action';
import { retryCloudPcPolicy } from './retry-cloudpc-policy/action';
import { retryProvisioning } from './retry-provisioning/action';

/** The one list of remediations: the parser, help, the manifest's command list and execution all read it. */
export class ActionRegistry {
  private readonly byWord = new Map<string, RemediationAction>();

  constructor(readonly actions: readonly RemediationAction[]) {
    for (const action of actions) {
      for (const word of [action.name, ...action.aliases]) {
        const key = word.toLowerCase();
        if (this.byWord.has(key)) throw new Error(`Command word "${word}" is used twice`);
        this.byWord.set(key, action);
      }
    }
  }

  /** Finds an action by name or alias, ignoring case. */
  find(word: string): RemediationAction | undefined {
    return this.byWord.get(word.toLowerCase());
  }

  /** Every name and alias, for "did you mean". */
  words(): string[] {
    return [...this.byWord.keys()];
  }
}

/** The five remediations this product ships. */
export function defaultRegistry(clock: Clock): ActionRegistry {
  return new ActionRegistry([
    retryProvisioning,
    reprocessLicense,
    retryCloudPcPolicy,
    createReprocessAccessRequest(() => new Date(clock.now())),
    provisionOnDemand,
  ] as RemediationAction[]);
}
