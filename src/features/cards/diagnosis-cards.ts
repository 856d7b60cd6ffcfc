import type { Fact } from '../../domain/actions/action';
import { blockingDiagnosis, type Diagnosis } from '../../domain/actions/diagnosis';
import type { RetryBlockedData } from './card-data';
import { clip, clipFacts, ROOM } from './card-text';

/** Diagnoses listed on a confirmation; real targets have one or two. */
const LISTED_DIAGNOSES = 5;

/** The card's part of a confirmation's diagnoses: the blocking one at the top, every one below. */
export interface DiagnosisView {
  readonly retryBlocked: RetryBlockedData | null;
  readonly diagnoses: readonly string[];
  readonly diagnosisFacts: readonly Fact[];
}

/** How the card says one diagnosis: its cause, then what to fix first (or that it is not known). */
export function diagnosisLine(d: Diagnosis): string {
  return `${d.cause} ${d.retryHelps ? 'A retry can help' : 'A retry cannot help yet'}. Fix first: ${d.fixFirst}`;
}

/** The part of a card that says what is really wrong, before anyone clicks. */
export function diagnosisView(diagnoses: readonly Diagnosis[] | undefined): DiagnosisView {
  const all = (diagnoses ?? []).slice(0, LISTED_DIAGNOSES);
  const blocking = blockingDiagnosis(all);
  return {
    retryBlocked: blocking
      ? {
          cause: clip(blocking.cause, ROOM.paragraph),
          fix: clip(blocking.fixFirst, ROOM.paragraph),
          object: blocking.objectToFix ? clip(blocking.objectToFix.label, ROOM.line) : null,
          url: blocking.objectToFix?.url ?? null,
        }
      : null,
    diagnoses: all.map((d) => clip(diagnosisLine(d), ROOM.paragraph)),
    diagnosisFacts: clipFacts(all.flatMap((d) => d.facts)),
  };
}
