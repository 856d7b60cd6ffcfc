import { errorMessage } from '../../infra/logger';
import type { FailureLedger } from '../notify/failure-ledger';
import type { Feature } from '../shared/feature';
import type { BulkServiceDeps } from './bulk-deps';
import { BulkService } from './bulk-service';
import { RemediateAllHandler } from './remediate-all-handler';

/** The bulk feature, with the service approvals hand bulk remediations to. */
export interface Bulk extends Feature {
  readonly service: BulkService;
}

/**
 * Bulk remediation: runs approved bulk remediations, their Resume and Retry failed buttons, and a failure
 * digest's Remediate all (one bulk remediation per kind of fix, from the digest's stored failures). At start it
 * resumes the runs a stopped process left running.
 */
export function createBulk(deps: BulkServiceDeps & { readonly ledger: FailureLedger }): Bulk {
  const service = new BulkService(deps);
  const remediateAll = new RemediateAllHandler({
    ledger: deps.ledger,
    registry: deps.registry,
    resolver: deps.resolver,
    remediations: deps.remediations,
    governance: deps.governance,
    messenger: deps.messenger,
    bulk: service,
    logger: deps.logger,
  });
  let resuming: Promise<unknown> = Promise.resolve();
  return {
    service,
    commands: [],
    cardActions: [service, remediateAll],
    start: () => {
      resuming = service
        .resumeInterrupted()
        .catch((err: unknown) => deps.logger.error({ err: errorMessage(err) }, 'resuming bulk runs failed'));
    },
    // Runs stop sending at once; batches in flight finish and are recorded before this resolves.
    close: async () => {
      const closed = service.close();
      await resuming;
      await closed;
      await service.drain();
    },
  };
}
