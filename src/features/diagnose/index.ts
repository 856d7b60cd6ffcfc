import type { Feature } from '../shared/feature';
import type { DiagnoseDeps } from './diagnose-answer';
import { diagnoseCommand } from './diagnose-command';
import { diagnosePicker } from './diagnose-pick';

/**
 * The diagnose feature: `diagnose <target>` explains every failure of one target, and a pick from its list of
 * matches diagnoses the one chosen. Its Remediate buttons are the failure ledger's, answered by the
 * notification feature.
 */
export function createDiagnose(deps: DiagnoseDeps): Feature {
  return {
    commands: [diagnoseCommand(deps)],
    cardActions: [diagnosePicker(deps)],
    start: () => undefined,
    close: async () => undefined,
  };
}
