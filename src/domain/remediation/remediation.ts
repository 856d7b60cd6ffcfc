import type { ActionArgs, Candidate, Confirmation, Fact } from '../actions/action';
import type { Actor, ConversationAddress } from '../conversation';

/** The life of a remediation; only `pending` can be approved, and only once. */
export type RemediationState =
  'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'rejected' | 'expired' | 'unknown';

/** Graph's own identifiers for a call, kept for support tickets. */
export interface GraphTrace {
  readonly status: number;
  readonly code: string | undefined;
  readonly message: string | undefined;
  readonly requestId: string | undefined;
  readonly date: string | undefined;
}

/**
 * The end of a remediation as shown on its card. `unknown`: the write may or may not have taken effect (no
 * answer in time, the connection dropped after the request left, a 5xx other than 503), so it is neither.
 */
export interface RemediationResult {
  readonly outcome: 'succeeded' | 'failed' | 'unknown';
  /** The outcome card's headline instead of the state word (e.g. Skipped), in a warning colour. */
  readonly headline?: string;
  readonly summary: string;
  readonly facts: readonly Fact[];
  readonly details: readonly string[];
  readonly graph: GraphTrace | undefined;
}

/**
 * What re-reading the target after Graph accepted (or may have applied) a remediation showed. `off`: the
 * action can be verified but VERIFY_AFTER is empty, so the card says it was not.
 */
export interface Verification {
  readonly status: 'off' | 'verifying' | 'resolved' | 'still-failing' | 'unverified';
  /** Checks planned (VERIFY_AFTER's length) and made so far. */
  readonly planned: number;
  readonly made: number;
  readonly checkedAt?: string;
  /** Resolved: what changed; still failing: the current errors; could not verify: why. */
  readonly note?: string;
  /** Still failing: what to fix before another retry, from the knowledge table where it knows the error. */
  readonly nextStep?: string;
  readonly details?: readonly string[];
  /** A bulk run: where its accepted targets stand after the checks so far. */
  readonly tally?: VerificationTally;
}

/** A bulk run's accepted (or maybe applied) targets by what the last check found of each. */
export interface VerificationTally {
  readonly resolved: number;
  readonly failing: number;
  readonly unverified: number;
  /** Not read yet (a check that could not read them, or none made yet). */
  readonly unchecked: number;
}

/** Which process runs a remediation, so a restarted bot can tell an interrupted run from a live one. */
export interface RunnerIdentity {
  readonly instanceId: string;
  readonly pid: number;
  readonly host: string;
}

/** A person as recorded on a remediation. */
export interface RecordedActor {
  readonly aadObjectId: string | undefined;
  readonly name: string;
}

/**
 * A remediation held server-side. Cards carry only its id: what runs, and against what, always comes
 * from here, never from card data.
 */
export interface Remediation {
  readonly id: string;
  readonly action: string;
  readonly args: ActionArgs;
  readonly command: string;
  readonly target: unknown;
  readonly confirmation: Confirmation;
  readonly address: ConversationAddress;
  readonly requestedBy: RecordedActor;
  /** What it acts on, named for the audit trail and history (e.g. "Alice Smith (alice@…) · <id>"). */
  readonly subject?: string;
  /** The requester's Teams id, so their client refreshes the card into their own view. */
  readonly requesterTeamsId?: string;
  readonly createdAt: string;
  /** When the failure was first detected, where that was before the request; unset, the request's look-up found it. */
  readonly detectedAt?: string;
  /** After this instant a pending remediation can no longer be approved. */
  readonly expiresAt?: string;
  readonly state: RemediationState;
  readonly cardActivityId?: string;
  readonly approvedBy?: RecordedActor;
  readonly approvedAt?: string;
  /** The Teams id of whoever approved or rejected it, so the thread's reply can @mention them. */
  readonly deciderTeamsId?: string;
  readonly runner?: RunnerIdentity;
  readonly cancelledBy?: RecordedActor;
  readonly cancelledAt?: string;
  readonly rejectedBy?: RecordedActor;
  readonly rejectedAt?: string;
  readonly rejectionReason?: string;
  readonly expiredAt?: string;
  readonly finishedAt?: string;
  readonly result?: RemediationResult;
  readonly verification?: Verification;
}

/** A pick list shown when a name matched several objects. */
export interface Selection {
  readonly id: string;
  readonly action: string;
  readonly command: string;
  readonly candidates: readonly Candidate[];
  readonly address: ConversationAddress;
  readonly requestedBy: RecordedActor;
  readonly requesterTeamsId?: string;
  readonly createdAt: string;
  readonly pickedRemediationId?: string;
}

/** Records an actor without their Teams-internal id. */
export function recordActor(actor: Actor): RecordedActor {
  return { aadObjectId: actor.aadObjectId, name: actor.name };
}

/** pending → running, or undefined when someone else got there first. */
export function startRun(
  r: Remediation,
  approver: RecordedActor,
  now: Date,
  runner?: RunnerIdentity,
): Remediation | undefined {
  if (r.state !== 'pending') return undefined;
  return {
    ...r,
    state: 'running',
    approvedBy: approver,
    approvedAt: now.toISOString(),
    ...(runner ? { runner } : {}),
  };
}

/** running → unknown: the process running it died, so nobody knows whether Graph applied it. */
export function markOutcomeUnknown(r: Remediation, now: Date): Remediation | undefined {
  if (r.state !== 'running') return undefined;
  return { ...r, state: 'unknown', finishedAt: now.toISOString() };
}

/** running → succeeded, failed or unknown, as the result says. */
export function finishRun(r: Remediation, result: RemediationResult, now: Date): Remediation | undefined {
  if (r.state !== 'running') return undefined;
  return { ...r, state: result.outcome, result, finishedAt: now.toISOString() };
}

/**
 * Whether a finished remediation is one verification re-reads: Graph accepted it, or may have applied it (a
 * bulk run that ended with failures still has its accepted targets to verify).
 */
export function awaitsVerification(r: Remediation): boolean {
  const finished = r.state === 'succeeded' || r.state === 'unknown' || r.state === 'failed';
  return finished && r.verification?.status === 'verifying';
}

/** Records a check's verdict on a remediation still being verified; undefined once it is settled. */
export function recordVerification(
  r: Remediation,
  verdict: Pick<Verification, 'status' | 'note' | 'details' | 'nextStep' | 'tally'>,
  now: Date,
): Remediation | undefined {
  if (!awaitsVerification(r) || !r.verification) return undefined;
  return {
    ...r,
    verification: {
      ...r.verification,
      ...verdict,
      made: r.verification.made + 1,
      checkedAt: now.toISOString(),
    },
  };
}

/** The audit event that records a result. */
export function outcomeEvent(
  outcome: RemediationResult['outcome'],
): 'succeeded' | 'failed' | 'outcome-unknown' {
  return outcome === 'unknown' ? 'outcome-unknown' : outcome;
}

/** pending → cancelled. */
export function cancel(r: Remediation, by: RecordedActor, now: Date): Remediation | undefined {
  if (r.state !== 'pending') return undefined;
  return { ...r, state: 'cancelled', cancelledBy: by, cancelledAt: now.toISOString() };
}

/** pending → rejected by an approver, with their reason. */
export function reject(
  r: Remediation,
  by: RecordedActor,
  reason: string | undefined,
  now: Date,
): Remediation | undefined {
  if (r.state !== 'pending') return undefined;
  return {
    ...r,
    state: 'rejected',
    rejectedBy: by,
    rejectedAt: now.toISOString(),
    ...(reason ? { rejectionReason: reason } : {}),
  };
}

/** True when a pending remediation has outlived its approval window. */
export function isOverdue(r: Remediation, now: Date): boolean {
  return r.state === 'pending' && r.expiresAt !== undefined && now.getTime() >= Date.parse(r.expiresAt);
}

/** pending → expired, once its window has passed. */
export function expire(r: Remediation, now: Date): Remediation | undefined {
  if (!isOverdue(r, now)) return undefined;
  return { ...r, state: 'expired', expiredAt: now.toISOString() };
}

/**
 * A short description of the target for audit entries and history: its subject, or for a record made before
 * subjects were kept, the confirmation's facts.
 */
export function targetDescription(r: Pick<Remediation, 'confirmation' | 'subject'>): string {
  return r.subject ?? r.confirmation.facts.map((f) => f.value).join(' · ');
}
