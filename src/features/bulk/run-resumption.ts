import { isBulkTarget } from '../../domain/remediation/bulk-target';
import { runnerGone } from '../../domain/remediation/runner-liveness';
import { unsealToken } from '../shared/delegated-token';
import { approverToken, describeError, type BulkServiceDeps } from './bulk-deps';
import { countStates, settleInterrupted } from './item-states';
import type { BulkRuns } from './bulk-runs';
import type { BulkRunRecord, BulkStore, ChunkRecord } from './bulk-store';

/** A run whose process stopped sending heartbeats this long ago is presumed dead (another host). */
const DEFAULT_STALE_MS = 15 * 60_000;

/** Loads a run's chunks, turning items a stopped process had in flight into unknown outcomes. */
export async function settledChunks(bulk: BulkStore, run: BulkRunRecord): Promise<ChunkRecord[]> {
  const chunks = await bulk.chunks(run.id, run.chunks);
  for (const [i, chunk] of chunks.entries()) {
    const settled = settleInterrupted(chunk);
    if (!settled) continue;
    await bulk.saveChunk(run.id, settled);
    chunks[i] = settled;
  }
  return chunks;
}

/**
 * Crash resume: takes over the runs a stopped process left `running` and continues them with the approver's
 * sealed sign-in, so a redeploy or a crash does not need anyone to click.
 */
export class RunResumption {
  constructor(
    private readonly deps: BulkServiceDeps,
    private readonly bulk: BulkStore,
    private readonly runs: BulkRuns,
  ) {}

  /**
   * Takes over every run left `running` by a process that is gone (released at shutdown, dead on this host,
   * or silent for too long) and resumes it. Items that were in flight when it stopped get an unknown outcome
   * and are never sent again; the rest continue with the approver's sealed sign-in, or the run pauses for a
   * Resume click when that sign-in cannot be recovered. Returns the ids of the runs that continue.
   */
  async resumeInterrupted(): Promise<string[]> {
    const resumed: string[] = [];
    for (const id of await this.bulk.runIds()) {
      if (this.runs.closing) break;
      const run = await this.bulk.run(id);
      if (!run || run.state !== 'running' || !this.interrupted(run)) continue;
      const claimed = await this.bulk.updateRun(id, (current) =>
        current.state === 'running' && this.interrupted(current)
          ? {
              ...current,
              runner: this.deps.instance,
              heartbeatAt: new Date(this.deps.clock.now()).toISOString(),
            }
          : undefined,
      );
      if (!claimed?.changed) continue;
      try {
        if (await this.resume(claimed.value)) resumed.push(id);
      } catch (err) {
        this.deps.logger.error({ remediationId: id, err: describeError(err) }, 'could not resume a bulk run');
      }
    }
    return resumed;
  }

  private interrupted(run: BulkRunRecord): boolean {
    return (
      !run.runner ||
      runnerGone(run.runner, run.heartbeatAt, {
        self: this.deps.instance,
        now: this.deps.clock.now(),
        staleAfterMs: this.deps.staleAfterMs ?? DEFAULT_STALE_MS,
        ...(this.deps.isAlive ? { isAlive: this.deps.isAlive } : {}),
      })
    );
  }

  private async resume(run: BulkRunRecord): Promise<boolean> {
    const r = await this.deps.remediations.get(run.id);
    if (!r || r.state !== 'running' || !isBulkTarget(r.target)) {
      await this.bulk.updateRun(run.id, (current) => ({ ...current, state: 'finished', runner: undefined }));
      return false;
    }
    const chunks = await settledChunks(this.bulk, run);
    const sealed = await this.bulk.token(run.id);
    const assertion =
      sealed && this.deps.sealKey ? unsealToken(this.deps.sealKey, run.id, sealed) : undefined;
    if (!assertion) {
      await this.runs.pause(
        r,
        run,
        chunks,
        'The bot restarted and cannot recover the approver’s sign-in. Sign in again (Resume) to continue.',
      );
      return false;
    }
    const token = approverToken(this.deps, run.approver.tenantId, assertion);
    try {
      await token.fresh();
    } catch (err) {
      this.deps.logger.warn(
        { remediationId: run.id, err: describeError(err) },
        'bulk run cannot renew its token',
      );
      await this.runs.pause(
        r,
        run,
        chunks,
        'The approver’s sign-in expired while the bot was stopped. Sign in again (Resume) to continue.',
      );
      return false;
    }
    this.deps.logger.info(
      { remediationId: run.id, counts: countStates(chunks) },
      'bulk run resumed after a restart',
    );
    const active = this.runs.launch(r, run, chunks, token, `resume-${run.id}`, Number.NEGATIVE_INFINITY);
    active.publisher.changed();
    return true;
  }
}
