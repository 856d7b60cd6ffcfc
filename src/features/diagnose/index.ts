import type { Feature } from '../shared/feature';
import { diagnoseCommand, type DiagnoseDeps } from './diagnose-command';

/**
 * The diagnose feature: `diagnose <target>` explains every failure of one target. Its buttons are the failure
 * ledger's Remediate buttons, answered by the notification feature, so it adds no card action of its own.
 */
export function createDiagnose(deps: DiagnoseDeps): Feature {
  return {
    commands: [diagnoseCommand(deps)],
    cardActions: [],
    start: () => undefined,
    close: async () => undefined,
  };
}
