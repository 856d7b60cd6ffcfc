import { commandText, type DetectedFailure } from '../../domain/failures/failure';
import type { FailureCardData, FailureDigestCardData } from './card-data';
import { diagnoseSignal, failureTitle as titleFor, kindLabel } from '../../domain/actions/registry';
import type { FailureSignal } from '../../domain/actions/diagnosis';
import { clip, firstOf, ROOM } from './card-text';
import { timeBefore } from './relative-time';
import { renderCard, type AdaptiveCardJson } from './render';

/**
 * The most failures one digest card lists, each with its Remediate button; the notifier splits a larger
 * batch into several digests of at most this many.
 */
export const DIGEST_LINES = 20;

/** Room for the failed object's name (and UPN) in a headline. */
const OBJECT_LABEL = 240;

/** Room for a digest line's error message: twenty of them share one card. */
const DIGEST_MESSAGE = 400;

/** A failure as posted to one conversation: the failure, the id its button carries, and when it was posted. */
export interface PostedFailure {
  readonly fid: string;
  readonly failure: DetectedFailure;
  /** The card's own moment: "failed 2 days before this alert" stays true however late it is read. */
  readonly postedAt: string;
}

/** When a failure happened, for each viewer's own zone, and how long before its alert. */
function failedWhen(p: PostedFailure): string {
  return timeBefore(p.failure.occurredAt, p.postedAt, 'this alert');
}

/** A card headline for a failure (also the notification's summary). */
export function failureTitle(f: DetectedFailure): string {
  return titleFor(f.kind, clip(f.objectLabel, OBJECT_LABEL));
}

/**
 * A posted failure as the knowledge table reads it: the detectors write `<family>/<service>` codes for user
 * provisioning (`ProvisioningError/exchange`), and the message holds the error's description.
 */
function signalOf(f: DetectedFailure): FailureSignal {
  const [code, service] = f.errorCode.split('/');
  return { kind: f.kind, code: code ?? f.errorCode, text: f.errorMessage, ...(service ? { service } : {}) };
}

/** The data of a single-failure card. */
export function failureCardData(p: PostedFailure, source: string): FailureCardData {
  const f = p.failure;
  const diagnosis = diagnoseSignal(signalOf(f));
  return {
    retryBlocked: !diagnosis.retryHelps,
    cause: clip(diagnosis.cause, ROOM.paragraph),
    fix: clip(diagnosis.fixFirst, ROOM.paragraph),
    kindLabel: kindLabel(f.kind),
    title: failureTitle(f),
    errorMessage: clip(f.errorMessage, ROOM.paragraph),
    object: clip(f.objectLabel, ROOM.factValue),
    errorCode: clip(f.errorCode, ROOM.factValue),
    when: failedWhen(p),
    fixWith: clip(`${f.remediation.action} for ${f.objectLabel}`, ROOM.factValue),
    footer: `${clip(source, ROOM.line)} · object ${clip(f.objectId, ROOM.line)} · Remediate proposes ${clip(commandText(f.remediation), ROOM.title)}; nothing changes until someone approves with their own Entra role.`,
    fid: p.fid,
  };
}

/** The data of a digest card: its first DIGEST_LINES failures, and a count of any others. */
export function failureDigestCardData(
  items: readonly PostedFailure[],
  source: string,
): FailureDigestCardData {
  const { shown, more } = firstOf(
    items,
    DIGEST_LINES,
    (rest) => `… and ${rest} more failures not listed here`,
  );
  return {
    title: `${items.length.toLocaleString('en-US')} new provisioning failures`,
    lines: shown.map((p) => ({
      kindLabel: kindLabel(p.failure.kind),
      title: failureTitle(p.failure),
      errorCode: clip(p.failure.errorCode, ROOM.name),
      errorMessage: clip(p.failure.errorMessage, DIGEST_MESSAGE),
      when: `Failed ${failedWhen(p)}`,
      command: clip(commandText(p.failure.remediation), ROOM.title),
      fid: p.fid,
    })),
    more,
    footer: `${clip(source, ROOM.line)} · Each Remediate opens a confirmation; nothing changes until someone approves with their own Entra role.`,
    fids: shown.map(({ fid }) => fid),
  };
}

/** Renders the card for one failure. */
export function failureCard(p: PostedFailure, source: string): AdaptiveCardJson {
  return renderCard('failure', failureCardData(p, source));
}

/** Renders a digest of several failures. */
export function failureDigestCard(items: readonly PostedFailure[], source: string): AdaptiveCardJson {
  return renderCard('failure-digest', failureDigestCardData(items, source));
}
