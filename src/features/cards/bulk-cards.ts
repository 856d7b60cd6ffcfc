import type { Remediation } from '../../domain/remediation/remediation';
import type { BulkTarget } from '../../domain/remediation/bulk-target';
import type { BulkConfirmationCardData, BulkProgressCardData } from './card-data';
import { clip, firstOf, ROOM } from './card-text';
import { localTimesIn } from './relative-time';
import {
  pendingApprovalData,
  remediationFooter,
  verificationWords,
  type CardView,
} from './remediation-cards';
import { renderCard, type AdaptiveCardJson } from './render';

/** How many targets (and skipped names) the confirmation lists by name; the rest are counted. */
export const LISTED_TARGETS = 20;

/** How many per-target lines the summary shows, failures first; Retry failed covers the rest. */
export const LISTED_OUTCOMES = 40;

/** Room for one target's line on a bulk card: its name and its problem or Graph's answer. */
const TARGET_LINE = 300;

function listed<T>(all: readonly T[], text: (item: T) => string, noun: string) {
  const { shown, more } = firstOf(all, LISTED_TARGETS, (rest) => `… and ${rest} more ${noun}`);
  return { shown: shown.map((item) => ({ text: localTimesIn(clip(text(item), TARGET_LINE)) })), more };
}

/** The bulk confirmation's data for one viewer (or everyone): the first 20 targets and skips, and their counts. */
export function bulkConfirmationCardData(
  r: Remediation,
  target: BulkTarget,
  view: CardView,
): BulkConfirmationCardData {
  const targets = listed(
    [...target.items].sort((a, b) => Number(!a.fixFirst) - Number(!b.fixFirst)),
    (i) =>
      i.fixFirst
        ? `✗ ${i.label} · A retry cannot help yet. Fix first: ${i.fixFirst}${i.problem ? ` · ${i.problem}` : ''}`
        : `${i.label}${i.problem ? ` · ${i.problem}` : ''}`,
    'targets',
  );
  const skipped = listed(target.skipped, (s) => `${s.input}: ${s.reason}`, 'skipped');
  return {
    ...pendingApprovalData(r, view),
    targetsHeading: `Targets (${target.items.length.toLocaleString('en-US')})`,
    targets: targets.shown,
    moreTargets: targets.more,
    skippedHeading: `Skipped: not part of this run (${target.skipped.length})`,
    skipped: skipped.shown,
    moreSkipped: skipped.more,
    approveTitle: `Approve all ${target.items.length.toLocaleString('en-US')}`,
  };
}

/** Renders the bulk confirmation card. */
export function bulkConfirmationCard(r: Remediation, target: BulkTarget, view: CardView): AdaptiveCardJson {
  return renderCard('bulk-confirmation', bulkConfirmationCardData(r, target, view));
}

/** A run's numbers as the progress card shows them. */
export interface ProgressNumbers {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly unknown: number;
  readonly remaining: number;
}

/** One target's outcome, for the summary's list; `checked` is what verification found of it since. */
export interface TargetOutcome {
  readonly label: string;
  readonly outcome: 'succeeded' | 'failed' | 'unknown';
  readonly detail: string;
  readonly checked?: 'resolved' | 'failing' | 'unverified';
}

/** What the progress card shows besides the remediation itself. */
export interface ProgressView {
  readonly phase: 'running' | 'paused' | 'finished';
  readonly numbers: ProgressNumbers;
  /** Targets skipped at confirmation, counted on the summary. */
  readonly skipped: number;
  /** The finished run's outcomes; they are listed failures first. */
  readonly outcomes?: readonly TargetOutcome[];
  readonly pausedReason?: string;
  readonly notice?: string;
}

const ORDER = { failed: 0, failing: 1, unknown: 2, unverified: 3, succeeded: 4, resolved: 5 } as const;
const WORDS = {
  failed: { mark: '✗', word: 'Failed', color: 'Attention' },
  failing: { mark: '✗', word: 'Still failing', color: 'Attention' },
  unknown: { mark: '?', word: 'Outcome unknown', color: 'Default' },
  unverified: { mark: '?', word: 'Not verified', color: 'Default' },
  succeeded: { mark: '✓', word: 'Accepted', color: 'Default' },
  resolved: { mark: '✓', word: 'Resolved', color: 'Default' },
} as const;

/** Where a target stands: its verified state once a check has read it, else Graph's answer. */
const standing = (o: TargetOutcome) => o.checked ?? o.outcome;

/** A finished run's headline and colour: Graph's answers, then what verification found of the accepted. */
function finishedState(
  r: Remediation,
  numbers: ProgressNumbers,
): { state: string; color: BulkProgressCardData['color'] } {
  if (numbers.succeeded + numbers.unknown === 0) return { state: 'Failed', color: 'Attention' };
  if (numbers.failed > 0) return { state: 'Finished with failures', color: 'Attention' };
  const verified = verificationWords(r);
  if (verified) return verified;
  return numbers.unknown > 0
    ? { state: 'Finished with failures', color: 'Attention' }
    : { state: 'Accepted by Microsoft Graph', color: 'Accent' };
}

/** What the checks found so far, or that they are still to come; nothing where none are planned. */
function verificationLine(r: Remediation): string {
  const v = r.verification;
  if (!v || v.status === 'off') return '';
  if (v.made === 0)
    return ` The bot re-reads each accepted target ${n(v.planned)} time${v.planned === 1 ? '' : 's'} to verify it.`;
  return ` Verification (check ${v.made} of ${v.planned}): ${v.note ?? ''}`;
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}

/** The progress card's data: done / failed / remaining while running; per-target outcomes at the end. */
export function bulkProgressCardData(r: Remediation, view: ProgressView): BulkProgressCardData {
  const { numbers, phase } = view;
  const done = numbers.succeeded + numbers.failed + numbers.unknown;
  const notGood = numbers.failed + numbers.unknown;
  const sorted = [...(view.outcomes ?? [])].sort((a, b) => ORDER[standing(a)] - ORDER[standing(b)]);
  const lines = sorted.slice(0, LISTED_OUTCOMES).map((o) => {
    const w = WORDS[standing(o)];
    return {
      label: `${w.mark} ${clip(o.label, ROOM.name)}`,
      text: ` · ${w.word}: ${clip(o.detail, TARGET_LINE)}`,
      color: w.color,
    };
  });
  const hidden = sorted.slice(LISTED_OUTCOMES);
  const hiddenFailed = hidden.filter((o) => o.outcome !== 'succeeded').length;
  const more =
    hidden.length > 0
      ? `… and ${n(hidden.length)} more (${n(hiddenFailed)} failed or unknown, ${n(hidden.length - hiddenFailed)} accepted)`
      : null;
  const { state, color }: ReturnType<typeof finishedState> =
    phase === 'running'
      ? { state: 'Running · bulk', color: 'Accent' }
      : phase === 'paused'
        ? { state: 'Paused', color: 'Warning' }
        : finishedState(r, numbers);
  const summary =
    phase === 'running'
      ? `${n(done)} of ${n(numbers.total)} done with ${clip(r.approvedBy?.name ?? 'the approver', ROOM.name)}'s permissions; this card updates every few seconds.`
      : phase === 'paused'
        ? clip(view.pausedReason ?? 'The run is paused.', ROOM.paragraph)
        : clip(
            `${n(numbers.succeeded)} of ${n(numbers.total)} accepted by Microsoft Graph${numbers.failed ? `, ${n(numbers.failed)} failed` : ''}${numbers.unknown ? `, ${n(numbers.unknown)} with an unknown outcome` : ''}.${verificationLine(r)}`,
            ROOM.paragraph,
          );
  const tally = r.verification?.tally;
  return {
    rid: r.id,
    state,
    color,
    title: clip(r.confirmation.title, ROOM.title),
    summary,
    counters: [
      { title: 'Accepted', value: n(numbers.succeeded), color: 'Good' },
      {
        title: 'Failed',
        value: n(numbers.failed + numbers.unknown),
        color: notGood > 0 ? 'Attention' : 'Default',
      },
      { title: 'Remaining', value: n(numbers.remaining), color: 'Default' },
    ],
    facts: [
      { title: 'Targets', value: n(numbers.total) },
      ...(numbers.unknown > 0 ? [{ title: 'Outcome unknown', value: n(numbers.unknown) }] : []),
      ...(tally
        ? [
            { title: 'Resolved', value: n(tally.resolved) },
            { title: 'Still failing', value: n(tally.failing) },
            { title: 'Not verified', value: n(tally.unverified + tally.unchecked) },
          ]
        : []),
      ...(view.skipped > 0 ? [{ title: 'Skipped at confirmation', value: n(view.skipped) }] : []),
      { title: 'Approved by', value: clip(r.approvedBy?.name ?? '—', ROOM.name) },
    ],
    lines,
    more,
    notice: view.notice ? clip(view.notice, ROOM.paragraph) : null,
    footer: remediationFooter(r),
    showRetry: phase === 'finished' && notGood > 0,
    retryTitle: `Retry failed (${n(notGood)})`,
    showResume: phase === 'paused',
  };
}

/** Renders the progress (or final summary) card of a bulk run. */
export function bulkProgressCard(r: Remediation, view: ProgressView): AdaptiveCardJson {
  return renderCard('bulk-progress', bulkProgressCardData(r, view));
}
