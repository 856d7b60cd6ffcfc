import type { RemediationAction, VerifyFinding } from '../../domain/actions/action';
import { diagnoserOf, type ActionRegistry } from '../../domain/actions/registry';
import { auditRemediation, type Governance } from '../../domain/governance/governance';
import {
  awaitsVerification,
  recordVerification,
  type Remediation,
  type Verification,
} from '../../domain/remediation/remediation';
import type { RemediationStore } from '../../domain/remediation/remediation-store';
import type { ClaimedCheck, VerificationStore } from '../../domain/remediation/verification-store';
import type { Clock, Repeating } from '../../infra/clock';
import type { GraphApi } from '../../infra/graph/graph-api';
import { toGraphFailure } from '../../infra/graph/graph-failure';
import { errorMessage, type Logger } from '../../infra/logger';
import { outcomeHeadline, remediationCard, sharedView } from '../cards/remediation-cards';
import type { Messenger } from '../shared/turns';
import { outcomeNotice } from './outcome-notice';

/** What verifying remediations needs; `afterMs` is VERIFY_AFTER, empty when verification is off. */
export interface VerifierDeps {
  readonly checks: VerificationStore;
  readonly store: RemediationStore;
  readonly registry: ActionRegistry;
  readonly governance: Governance;
  readonly messenger: Messenger;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The app's read-only client: verification reads, it never writes. */
  readonly readGraph: GraphApi;
  readonly instanceId: string;
  readonly afterMs: readonly number[];
  /** Verifies remediations with many targets (bulk runs), which keep a verdict per target. */
  readonly manyTargets?: ManyTargetsVerifier;
}

/** What a check decides: the remediation's verification status and what it says. */
export type Verdict = Pick<Verification, 'status' | 'note' | 'details' | 'nextStep' | 'tally'>;

/**
 * Checks and shows a remediation whose target is many targets (a bulk run): it reads each accepted target,
 * keeps each one's finding, and draws the run's own card. The Verifier keeps the schedule, the claims and the
 * audit trail for it.
 */
export interface ManyTargetsVerifier {
  handles(r: Remediation): boolean;
  /** This check's verdict over all targets; undefined when nothing could be read and later checks remain. */
  verdict(r: Remediation, action: RemediationAction, last: boolean): Promise<Verdict | undefined>;
  /** Shows the verdict on the run's card, and in the thread once it is settled. */
  show(r: Remediation, action: RemediationAction, settled: boolean): Promise<void>;
}

const BOT = { aadObjectId: undefined, name: 'the bot' } as const;

/** How often due checks are looked for: often enough for the first check, at most once a minute. */
function tickOf(afterMs: readonly number[]): number {
  return Math.max(1000, Math.min(60_000, ...afterMs));
}

/**
 * Re-reads the target of every remediation Graph accepted (or may have applied) at the times of
 * VERIFY_AFTER, and turns its card into Resolved, Still failing or Could not verify, with a reply in the
 * thread and an audit entry. Checks are records in the state store, claimed so one instance runs each.
 */
export class Verifier {
  private repeating: Repeating | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: VerifierDeps) {}

  /** The verification a finished run starts with; none where Graph's answer decided (or the run failed). */
  initial(action: RemediationAction, outcome: 'succeeded' | 'failed' | 'unknown'): Verification | undefined {
    if (!action.verify || outcome === 'failed') return undefined;
    const planned = this.deps.afterMs.length;
    return { status: planned === 0 ? 'off' : 'verifying', planned, made: 0 };
  }

  /** Plans a remediation's checks, counted from when its run ended. */
  plan(rid: string, endedAtMs: number): Promise<void> {
    return this.deps.checks.schedule(
      rid,
      this.deps.afterMs.map((ms) => endedAtMs + ms),
    );
  }

  /** Runs the checks that fell due while the bot was down, then looks for due checks on every tick. */
  start(): void {
    if (this.repeating || this.deps.afterMs.length === 0) return;
    void this.runDue();
    this.repeating = this.deps.clock.every(tickOf(this.deps.afterMs), () => void this.runDue());
  }

  /** Runs every check due now that no other instance holds; a call during a round joins it. */
  runDue(): Promise<void> {
    this.running ??= this.round()
      .catch((err: unknown) =>
        this.deps.logger.error({ err: errorMessage(err) }, 'verification round failed'),
      )
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    this.repeating?.cancel();
    this.repeating = undefined;
    await this.running;
  }

  private async round(): Promise<void> {
    for (const rid of await this.deps.checks.planned()) {
      const claimed = await this.deps.checks.claim(rid, this.deps.instanceId, this.deps.clock.now());
      if (claimed) await this.check(claimed);
    }
  }

  private async check(claimed: ClaimedCheck): Promise<void> {
    const { deps } = this;
    const rid = claimed.checks.rid;
    const r = await deps.store.get(rid);
    // A run some process has not closed yet (reconcile closes a dead one's): its claim lapses, checked later.
    if (r?.state === 'running') return;
    const action = r ? deps.registry.find(r.action) : undefined;
    if (!r || !action?.verify || !awaitsVerification(r)) {
      await deps.checks.finish(claimed, true, deps.clock.now());
      return;
    }
    const many = deps.manyTargets?.handles(r) ? deps.manyTargets : undefined;
    const verdict = many
      ? await many.verdict(r, action, claimed.last)
      : await this.verdict(r, action, claimed.last);
    const now = deps.clock.now();
    if (!verdict) {
      await deps.checks.finish(claimed, false, now);
      return;
    }
    const saved = await deps.store.update(rid, (current) =>
      recordVerification(current, verdict, new Date(now)),
    );
    const settled = verdict.status !== 'verifying';
    if (saved?.changed) {
      await this.audit(saved.value);
      if (many) await many.show(saved.value, action, settled);
      else await this.show(saved.value, action, settled);
    }
    await deps.checks.finish(claimed, settled || !saved?.changed, now);
  }

  /** What this check found; undefined when the read failed for a passing reason and a later check remains. */
  private async verdict(
    r: Remediation,
    action: RemediationAction,
    last: boolean,
  ): Promise<Verdict | undefined> {
    let found: VerifyFinding;
    try {
      found = await (action.verify as NonNullable<RemediationAction['verify']>)(
        r.target,
        this.deps.readGraph,
      );
    } catch (err) {
      const f = toGraphFailure(err);
      const id = f.requestId ? `, request-id ${f.requestId}` : '';
      const byHand = `Check ${r.confirmation.title.replace(/^\S+/, (w) => w.toLowerCase())} by hand in the Entra admin center.`;
      if (f.status === 404)
        return {
          status: 'unverified',
          note: `The target no longer exists in Microsoft Graph (404${id}); it may have been deleted. ${byHand}`,
        };
      if (f.status === 401 || f.status === 403)
        return {
          status: 'unverified',
          note: `Microsoft Graph refused the bot's read (${f.status} ${f.code}${id}): the app registration may have lost its read permission. ${byHand}`,
        };
      this.deps.logger.warn(
        { remediationId: r.id, status: f.status, code: f.code },
        'verification read failed',
      );
      if (!last) return undefined;
      return {
        status: 'unverified',
        note: `Microsoft Graph did not answer the last check (${f.status || 'no answer'} ${f.code}${id}). ${byHand}`,
      };
    }
    if (found.kind === 'resolved') return { status: 'resolved', note: found.changed };
    if (found.kind === 'unverifiable') return { status: 'unverified', note: found.why };
    if (found.kind === 'in-progress') {
      if (!last) return { status: 'verifying', note: found.state };
      return {
        status: 'unverified',
        note: `${found.state} It was still under way at the last check, so whether it worked is not known yet. Check it again later in the Entra admin center.`,
      };
    }
    const failing = { note: found.current.join('; '), details: found.current };
    if (!last) return { status: 'verifying', ...failing };
    const { nextStep, lines } = await this.diagnosis(r);
    return {
      status: 'still-failing',
      note: failing.note,
      details: [...found.current, ...lines],
      ...(nextStep ? { nextStep } : {}),
    };
  }

  /** What the knowledge table says of the errors left after the last check: the cause and what to fix first. */
  private async diagnosis(r: Remediation): Promise<{ nextStep?: string; lines: string[] }> {
    const diagnoser = diagnoserOf(r.action);
    if (!diagnoser) return { lines: [] };
    try {
      const diagnoses = await diagnoser(r.target, this.deps.readGraph);
      const known = diagnoses.find((d) => d.entry !== undefined) ?? diagnoses[0];
      if (!known) return { lines: [] };
      const fix = known.objectToFix ? ` (${known.objectToFix.label})` : '';
      return {
        nextStep: `${known.cause} ${known.fixFirst}${fix}`,
        lines: diagnoses.map((d) => `Diagnosis: ${d.cause} Fix first: ${d.fixFirst}`),
      };
    } catch (err) {
      this.deps.logger.warn(
        { remediationId: r.id, err: errorMessage(err) },
        'diagnosis after verification failed',
      );
      return { lines: [] };
    }
  }

  /** Audits the check: every verdict is in the trail, settled or not. */
  private async audit(r: Remediation): Promise<void> {
    const v = r.verification;
    const event =
      v?.status === 'resolved'
        ? 'verified-resolved'
        : v?.status === 'still-failing'
          ? 'still-failing'
          : v?.status === 'unverified'
            ? 'not-verified'
            : 'verified-still-failing';
    await auditRemediation(this.deps.governance, r, event, BOT, {
      detail: `check ${v?.made ?? '?'} of ${v?.planned ?? '?'}: ${v?.note ?? ''}`.slice(0, 500),
    });
    this.deps.logger.info(
      { remediationId: r.id, verification: v?.status, check: v?.made },
      'remediation verified',
    );
  }

  /** Shows the check: a settled verdict with a reply in the thread, a passing one on the card. */
  private async show(r: Remediation, action: RemediationAction, settled: boolean): Promise<void> {
    const { deps } = this;
    const card = remediationCard(r, sharedView(deps.governance, action));
    const summary = `${outcomeHeadline(r)}: ${r.confirmation.title}`;
    try {
      if (r.cardActivityId) await deps.messenger.updateCard(r.address, r.cardActivityId, card, summary);
      if (settled) await deps.messenger.postNotice(r.address, outcomeNotice(r, outcomeHeadline(r)));
    } catch (err) {
      deps.logger.error(
        { remediationId: r.id, err: errorMessage(err) },
        'could not publish the verification',
      );
    }
  }
}
