import type { Feature } from '../shared/feature';
import { historyCommand, historyPager, statusCommand, type AuditCommandDeps } from './audit-commands';
import { reportCommand } from './report-command';

/** The audit feature: `history` (with its Older entries button), `status` and `report`. */
export function createAudit(deps: AuditCommandDeps): Feature {
  return {
    commands: [historyCommand(deps), statusCommand(deps), reportCommand(deps)],
    cardActions: [historyPager(deps)],
    start: () => undefined,
    close: async () => undefined,
  };
}
