import type { Feature } from '../shared/feature';
import { historyCommand, historyPager, statusCommand, type AuditCommandDeps } from './audit-commands';

/** The audit feature: `history` (with its Older entries button) and `status`. */
export function createAudit(deps: AuditCommandDeps): Feature {
  return {
    commands: [historyCommand(deps), statusCommand(deps)],
    cardActions: [historyPager(deps)],
    start: () => undefined,
    close: async () => undefined,
  };
}
