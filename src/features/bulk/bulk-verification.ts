import type { RemediationAction, VerifyFinding } from '../../domain/actions/action';
import { isBulkTarget, type BulkTarget } from '../../domain/remediation/bulk-target';
import type { Remediation, VerificationTally } from '../../domain/remediation/remediation';
import type { GraphApi } from '../../infra/graph/graph-api';
import { toGraphFailure } from '../../infra/graph/graph-failure';
import type { Logger } from '../../infra/logger';
import { outcomeNotice } from '../remediate/outcome-notice';
import type { ManyTargetsVerifier, Verdict } from '../remediate/verification';
import type { Messenger } from '../shared/turns';
import { bulkProgressCard, bulkProgressCardData } from '../cards/bulk-cards';
import { CHUNK_SIZE, type BulkStore, type ChunkRecord, type ItemFinding, type ItemState } from './bulk-store';
import { countStates } from './item-states';
import { itemOutcomes } from './run-outcomes';
import { describeError } from './bulk-deps';

/** What verifying a bulk run needs: the run's records, the app's read-only client, where to show it. */
export interface BulkVerificationDeps {
  readonly bulk: BulkStore;
  /** The app's read-only client: verification reads, it never writes. */
  readonly readGraph: GraphApi;
  readonly messenger: Messenger;
  readonly logger: Logger;
}

/** How many still-failing targets the verdict names; the card's list shows the rest. */
const NAMED = 20;

/** The items a check reads: accepted (or maybe applied) ones not settled by an earlier check. */
function toCheck(item: ItemState): boolean {
  const candidate = (item.s === 'done' && item.outcome === 'succeeded') || item.s === 'unknown';
  return candidate && (item.checked === undefined || item.checked.v === 'failing');
}

function findingOf(found: VerifyFinding, last: boolean): ItemFinding {
  if (found.kind === 'resolved') return { v: 'resolved', note: found.changed };
  if (found.kind === 'unverifiable') return { v: 'unverified', note: found.why };
  if (found.kind === 'in-progress') {
    return last
      ? { v: 'unverified', note: `${found.state} Still under way at the last check.` }
      : { v: 'failing', note: found.state };
  }
  return { v: 'failing', note: found.current.join('; ') };
}

/**
 * Verifies a bulk run the way a single remediation is verified, per target: at each check it re-reads the
 * targets Graph accepted that are not yet resolved, twenty at a time (one stored chunk, whose findings it
 * saves before the next), and totals them. The run is resolved when every accepted target is, still failing
 * when any is after the last check, and not verified when the rest could not be read.
 */
export class BulkVerification implements ManyTargetsVerifier {
  constructor(private readonly deps: BulkVerificationDeps) {}

  handles(r: Remediation): boolean {
    return isBulkTarget(r.target);
  }

  async verdict(r: Remediation, action: RemediationAction, last: boolean): Promise<Verdict | undefined> {
    const run = await this.deps.bulk.run(r.id);
    if (!run || !action.verify) return undefined;
    const target = r.target as BulkTarget;
    const chunks = await this.deps.bulk.chunks(r.id, run.chunks);
    let read = 0;
    const checked: ChunkRecord[] = [];
    for (const chunk of chunks) {
      const items = await Promise.all(
        chunk.items.map(async (item, offset): Promise<ItemState> => {
          const subject = target.items[chunk.index * CHUNK_SIZE + offset];
          if (!subject || !toCheck(item)) return item;
          const finding = await this.check(action, subject.target, last, r.id);
          if (!finding) return item;
          read++;
          return { ...item, checked: finding } as ItemState;
        }),
      );
      const next = { ...chunk, items };
      if (items.some((item, i) => item !== chunk.items[i])) await this.deps.bulk.saveChunk(r.id, next);
      checked.push(next);
    }
    if (read === 0 && !last) return undefined;
    return verdictOf(target, checked, last);
  }

  async show(r: Remediation, _action: RemediationAction, settled: boolean): Promise<void> {
    const run = await this.deps.bulk.run(r.id);
    if (!run) return;
    const target = r.target as BulkTarget;
    const chunks = await this.deps.bulk.chunks(r.id, run.chunks);
    const view = {
      phase: 'finished',
      numbers: countStates(chunks),
      skipped: target.skipped.length,
      outcomes: itemOutcomes(target, chunks),
    } as const;
    const card = bulkProgressCard(r, view);
    const word = bulkProgressCardData(r, view).state;
    const summary = `${word}: ${r.confirmation.title}`;
    try {
      if (run.cardActivityId)
        await this.deps.messenger.updateCard(r.address, run.cardActivityId, card, summary);
      if (settled) await this.deps.messenger.postNotice(r.address, outcomeNotice(r, word));
    } catch (err) {
      this.deps.logger.error(
        { remediationId: r.id, err: describeError(err) },
        'could not publish the bulk verification',
      );
    }
  }

  /** One target's finding; undefined when Graph did not answer and a later check can try again. */
  private async check(
    action: RemediationAction,
    target: unknown,
    last: boolean,
    rid: string,
  ): Promise<ItemFinding | undefined> {
    try {
      return findingOf(
        await (action.verify as NonNullable<RemediationAction['verify']>)(target, this.deps.readGraph),
        last,
      );
    } catch (err) {
      const f = toGraphFailure(err);
      const id = f.requestId ? `, request-id ${f.requestId}` : '';
      if (f.status === 404) return { v: 'unverified', note: `The target no longer exists (404${id}).` };
      if (f.status === 401 || f.status === 403)
        return {
          v: 'unverified',
          note: `Microsoft Graph refused the bot's read (${f.status} ${f.code}${id}).`,
        };
      this.deps.logger.warn(
        { remediationId: rid, status: f.status, code: f.code },
        'bulk verification read failed',
      );
      return last
        ? {
            v: 'unverified',
            note: `Microsoft Graph did not answer the last check (${f.status || 'no answer'} ${f.code}${id}).`,
          }
        : undefined;
    }
  }
}

/** The run's verdict from its items' findings. */
export function verdictOf(target: BulkTarget, chunks: readonly ChunkRecord[], last: boolean): Verdict {
  const tally = { resolved: 0, failing: 0, unverified: 0, unchecked: 0 };
  const failing: string[] = [];
  for (const chunk of chunks) {
    chunk.items.forEach((item, offset) => {
      const accepted = (item.s === 'done' && item.outcome === 'succeeded') || item.s === 'unknown';
      if (!accepted) return;
      const found = item.checked;
      if (!found) tally.unchecked++;
      else if (found.v === 'resolved') tally.resolved++;
      else if (found.v === 'unverified') tally.unverified++;
      else {
        tally.failing++;
        const label = target.items[chunk.index * CHUNK_SIZE + offset]?.label ?? '?';
        if (failing.length < NAMED) failing.push(`${label}: ${found.note}`);
      }
    });
  }
  const note = tallyNote(tally);
  const open = tally.failing + tally.unchecked;
  if (open > 0 && !last) return { status: 'verifying', note, tally, details: failing };
  if (tally.failing > 0) return { status: 'still-failing', note, tally, details: failing };
  if (tally.unverified + tally.unchecked > 0) return { status: 'unverified', note, tally, details: [] };
  return { status: 'resolved', note, tally, details: [] };
}

/** "12 resolved, 3 still failing, 1 not verified": the counts that are not zero. */
export function tallyNote(t: VerificationTally): string {
  const parts = [
    t.resolved > 0 ? `${t.resolved} resolved` : '',
    t.failing > 0 ? `${t.failing} still failing` : '',
    t.unverified > 0 ? `${t.unverified} not verified` : '',
    t.unchecked > 0 ? `${t.unchecked} not read yet` : '',
  ].filter(Boolean);
  return parts.length > 0 ? `${parts.join(', ')}.` : 'No accepted target to verify.';
}
