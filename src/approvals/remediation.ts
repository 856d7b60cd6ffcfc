import type { ActionArgs, Candidate, Confirmation, Fact } from '../actions/action';
import type { Actor, ConversationAddress } from '../chat/chat-types';

/** The life of a remediation; only `pending` can be approved, and only once. */
export type RemediationState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** Graph's own identifiers for a call, kept for support tickets. */
export interface GraphTrace {
  readonly status: number;
  readonly code: string | undefined;
  readonly message: string | undefined;
  readonly requestId: string | undefined;
  readonly date: string | undefined;
}

/** The end of a remediation as shown on its card. */
export interface RemediationResult {
  readonly outcome: 'succeeded' | 'failed';
  readonly summary: string;
  readonly facts: readonly Fact[];
  readonly details: readonly string[];
  readonly graph: GraphTrace | undefined;
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
  readonly createdAt: string;
  readonly state: RemediationState;
  readonly cardActivityId?: string;
  readonly approvedBy?: RecordedActor;
  readonly approvedAt?: string;
  readonly cancelledBy?: RecordedActor;
  readonly cancelledAt?: string;
  readonly finishedAt?: string;
  readonly result?: RemediationResult;
}

/** A pick list shown when a name matched several objects. */
export interface Selection {
  readonly id: string;
  readonly action: string;
  readonly command: string;
  readonly candidates: readonly Candidate[];
  readonly address: ConversationAddress;
  readonly requestedBy: RecordedActor;
  readonly createdAt: string;
  readonly pickedRemediationId?: string;
}

/** Records an actor without their Teams-internal id. */
export function recordActor(actor: Actor): RecordedActor {
  return { aadObjectId: actor.aadObjectId, name: actor.name };
}

/** pending → running, or undefined when someone else got there first. */
export function startRun(r: Remediation, approver: RecordedActor, now: Date): Remediation | undefined {
  if (r.state !== 'pending') return undefined;
  return { ...r, state: 'running', approvedBy: approver, approvedAt: now.toISOString() };
}

/** running → succeeded/failed. */
export function finishRun(r: Remediation, result: RemediationResult, now: Date): Remediation | undefined {
  if (r.state !== 'running') return undefined;
  return { ...r, state: result.outcome, result, finishedAt: now.toISOString() };
}

/** pending → cancelled. */
export function cancel(r: Remediation, by: RecordedActor, now: Date): Remediation | undefined {
  if (r.state !== 'pending') return undefined;
  return { ...r, state: 'cancelled', cancelledBy: by, cancelledAt: now.toISOString() };
}

/** Remembers which message shows the card, so it can be updated for everyone later. */
export function withCardActivity(r: Remediation, activityId: string): Remediation | undefined {
  return r.cardActivityId === activityId ? undefined : { ...r, cardActivityId: activityId };
}
