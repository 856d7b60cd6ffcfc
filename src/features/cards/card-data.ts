import type { Fact } from '../../domain/actions/action';

/** What every card awaiting approval shows (single or bulk): the request, who may approve it, the buttons. */
export interface PendingApprovalData {
  readonly rid: string;
  readonly title: string;
  readonly why: string;
  readonly facts: readonly Fact[];
  /** Times among the facts, as text lines in each viewer's own zone ("Created <DATE TIME>"). */
  readonly times: readonly string[];
  readonly blocked: string | null;
  readonly notice: string | null;
  readonly requestedBy: string;
  readonly command: string;
  /** Who may approve under which rule, and the Entra role Graph will require of them. */
  readonly approval: string;
  /** How long the request can be approved and until when, in each viewer's own time (DATE/TIME). */
  readonly expires: string;
  /** Ids of what the facts name (object ids), for the footer; empty when there are none. */
  readonly ids: string;
  readonly showApprove: boolean;
  readonly showReject: boolean;
  readonly showCancel: boolean;
  /** Teams ids whose clients refresh the card into their own view. */
  readonly userIds: readonly string[];
}

/** The top of a confirmation whose failure a retry cannot fix yet: the cause, the fix and what to fix. */
export interface RetryBlockedData {
  readonly cause: string;
  readonly fix: string;
  /** The object to fix, e.g. "user Bob Jones (bob@contoso.com)", or null when the bot could not name one. */
  readonly object: string | null;
  /** Its page in the Microsoft Entra admin center, or null. */
  readonly url: string | null;
}

/** Data for cards/confirmation.json. */
export interface ConfirmationCardData extends PendingApprovalData {
  readonly problems: readonly string[];
  readonly retryBlocked: RetryBlockedData | null;
  /** The knowledge table's word on each failure: cause, then what to fix first. */
  readonly diagnoses: readonly string[];
  /** Facts the diagnosis read from Graph (the address's holder, a product's seats). */
  readonly diagnosisFacts: readonly Fact[];
  /** "Retry anyway" with a required reason instead of Approve. */
  readonly showRetryAnyway: boolean;
}

/** Data for cards/outcome.json: Running, Succeeded, Failed or Cancelled, or the result's own headline. */
export interface OutcomeCardData {
  readonly rid: string;
  readonly userIds: readonly string[];
  readonly state: string;
  readonly color: 'Accent' | 'Good' | 'Attention' | 'Default' | 'Warning';
  readonly title: string;
  readonly summary: string;
  readonly facts: readonly Fact[];
  /** Times among the facts, as text lines in each viewer's own zone ("Created <DATE TIME>"). */
  readonly times: readonly string[];
  readonly details: readonly string[];
  readonly graph: readonly Fact[] | null;
  readonly footer: string;
}

/** Data for cards/choice.json. */
export interface ChoiceCardData {
  readonly prompt: string;
  readonly candidates: readonly {
    readonly label: string;
    readonly detail: string;
    readonly index: number;
    readonly sid: string;
  }[];
}

/** Data for cards/help.json. */
export interface HelpCardData {
  readonly intro: string;
  readonly commands: readonly { readonly usage: string; readonly summary: string }[];
}

/** Data for cards/help-command.json. */
export interface HelpCommandCardData {
  readonly name: string;
  readonly usage: string;
  readonly description: string;
  readonly params: readonly Fact[];
  readonly examples: readonly string[];
  readonly aliases: string;
  readonly roles: string;
  readonly permission: string;
}

/** Data for cards/notice.json: errors and short answers. */
export interface NoticeCardData {
  readonly title: string;
  readonly text: string;
  readonly color: 'Default' | 'Attention' | 'Warning' | 'Good';
  readonly usage: string | null;
  readonly hint: string | null;
  /** A button that runs a suggested command as if the clicker had typed it. */
  readonly run: { readonly title: string; readonly command: string } | null;
}

/** Data for cards/history.json. */
export interface HistoryCardData {
  readonly filters: string;
  readonly entries: readonly {
    readonly headline: string;
    readonly target: string;
    readonly footnote: string;
  }[];
  /** Card data for the "Older entries" button, or null on the last page. */
  readonly more: Record<string, unknown> | null;
}

/** Data for cards/status.json. */
export interface StatusCardData {
  readonly state: string;
  readonly color: string;
  readonly title: string;
  /** What the outcome card says, a reject reason in full among it. */
  readonly summary: string;
  readonly facts: readonly Fact[];
  /** Times among the facts, as text lines in each viewer's own zone ("Created <DATE TIME>"). */
  readonly times: readonly string[];
  readonly timeline: readonly string[];
  readonly footer: string;
}

/** One line of text on a bulk card. */
export interface BulkLine {
  readonly text: string;
}

/** Data for cards/bulk-confirmation.json: one approval for many targets. */
export interface BulkConfirmationCardData extends PendingApprovalData {
  readonly targetsHeading: string;
  readonly targets: readonly BulkLine[];
  readonly moreTargets: string | null;
  readonly skippedHeading: string;
  readonly skipped: readonly BulkLine[];
  readonly moreSkipped: string | null;
  readonly approveTitle: string;
}

/** A headline number on the progress card. */
export interface BulkCounter {
  readonly title: string;
  readonly value: string;
  readonly color: 'Default' | 'Good' | 'Attention' | 'Warning' | 'Accent';
}

/** One target's outcome on the summary: its mark and name in bold, then the outcome in words. */
export interface BulkOutcomeLine {
  readonly label: string;
  readonly text: string;
  /** Red for what needs a person; yellow and light green text read badly on white, so no other colour. */
  readonly color: 'Attention' | 'Default';
}

/** Data for cards/bulk-progress.json: the run's progress, and at the end its summary. */
export interface BulkProgressCardData {
  readonly rid: string;
  readonly state: string;
  readonly color: 'Accent' | 'Good' | 'Attention' | 'Warning' | 'Default';
  readonly title: string;
  readonly summary: string;
  readonly counters: readonly BulkCounter[];
  readonly facts: readonly Fact[];
  readonly lines: readonly BulkOutcomeLine[];
  readonly more: string | null;
  readonly notice: string | null;
  readonly footer: string;
  readonly showRetry: boolean;
  readonly retryTitle: string;
  readonly showResume: boolean;
}

/** Data for cards/failure.json: one failure with its Remediate button. */
export interface FailureCardData {
  readonly kindLabel: string;
  readonly title: string;
  readonly errorMessage: string;
  /** What people call the object; its id is in the footer. */
  readonly object: string;
  readonly errorCode: string;
  /** When it failed, in each viewer's own time (DATE/TIME; TextBlock text only). */
  readonly when: string;
  /** The remediation Remediate prepares, in words: the command's name and the object's. */
  readonly fixWith: string;
  /** The footer: where the failure came from, the object's id and the exact command Remediate runs. */
  readonly footer: string;
  /** The opaque id of the stored notice; the only data the button carries. */
  readonly fid: string;
  /** The knowledge table says a retry cannot help until something is fixed: said at the top. */
  readonly retryBlocked: boolean;
  /** The cause in plain words, or that the bot does not know this error. */
  readonly cause: string;
  /** What to fix first. */
  readonly fix: string;
}

/** One line of cards/failure-digest.json. */
export interface FailureDigestLine {
  readonly kindLabel: string;
  readonly title: string;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly when: string;
  readonly command: string;
  readonly fid: string;
}

/** Data for cards/failure-digest.json: several failures, a Remediate button per line. */
export interface FailureDigestCardData {
  readonly title: string;
  readonly lines: readonly FailureDigestLine[];
  /** "… and N more failures not listed here" when the card was given more than it lists, else null. */
  readonly more: string | null;
  readonly footer: string;
  /** Every listed line's notice id: Remediate all prepares one bulk remediation per kind of fix from them. */
  readonly fids: readonly string[];
}

/** Data for cards/report.json: the numbers, the charts' points and each chart's text form. */
export interface ReportCardData {
  readonly title: string;
  readonly period: string;
  readonly headline: readonly Fact[];
  /** Chart.Donut points (`legend`, `value`), drawn where the client renders charts. */
  readonly detected: readonly { readonly legend: string; readonly value: number }[];
  /** Chart.VerticalBar points (`x`, `y`). */
  readonly standings: readonly { readonly x: string; readonly y: number }[];
  /** The same numbers as facts: the charts' fallback for clients without chart elements. */
  readonly detectedFacts: readonly Fact[];
  readonly standingFacts: readonly Fact[];
  readonly causes: readonly Fact[];
  readonly stillFailing: readonly { readonly headline: string; readonly footnote: string }[];
  /** What a number could not be computed from, in plain words. */
  readonly notes: readonly string[];
}

/** One failure on a diagnose card: what failed, whether a retry can help now, the cause and the fix. */
export interface DiagnoseFindingData {
  readonly what: string;
  readonly when: string | null;
  readonly retryHelps: boolean;
  readonly cause: string;
  readonly fix: string;
  /** The object to fix, e.g. "group Sales team (sales@contoso.com)", and its admin center page. */
  readonly object: string | null;
  readonly url: string | null;
  /** Facts the diagnosis read for this target (the address's holder, a product's seats). */
  readonly facts: readonly Fact[];
  /** Times among the facts, as text lines in each viewer's own zone ("Created <DATE TIME>"). */
  readonly times: readonly string[];
}

/** A diagnose card's failures that one remediation addresses (or that none does), with its button. */
export interface DiagnoseSectionData {
  readonly heading: string;
  readonly findings: readonly DiagnoseFindingData[];
  readonly more: string | null;
  /** Why no remediation of the bot applies, when none does. */
  readonly note: string | null;
  /** The stored notice the Remediate button carries, or null without a button. */
  readonly fid: string | null;
  readonly buttonTitle: string;
}

/** Data for cards/diagnose.json: every failure signal of one target, grouped by the remediation for it. */
export interface DiagnoseCardData {
  /** "User", "Cloud PC provisioning policy"… */
  readonly targetNoun: string;
  readonly title: string;
  readonly summary: string;
  readonly healthy: boolean;
  readonly facts: readonly Fact[];
  /** Times among the facts, as text lines in each viewer's own zone ("Created <DATE TIME>"). */
  readonly times: readonly string[];

  readonly sections: readonly DiagnoseSectionData[];
  /** Reads that failed, each a line with Graph's answer and request-id. */
  readonly unread: readonly { readonly line: string }[];
  readonly footer: string;
}

/** Data for cards/diagnose-choice.json: the objects a diagnose target named, one button each. */
export interface DiagnoseChoiceCardData {
  readonly prompt: string;
  readonly candidates: readonly {
    readonly label: string;
    readonly detail: string;
    readonly kind: string;
    readonly id: string;
  }[];
}

/** Every template in cards/ and the data it is rendered with, so a builder cannot pass another's data. */
export interface CardDataByTemplate {
  readonly confirmation: ConfirmationCardData;
  readonly outcome: OutcomeCardData;
  readonly choice: ChoiceCardData;
  readonly help: HelpCardData;
  readonly 'help-command': HelpCommandCardData;
  readonly notice: NoticeCardData;
  readonly failure: FailureCardData;
  readonly 'failure-digest': FailureDigestCardData;
  readonly history: HistoryCardData;
  readonly status: StatusCardData;
  readonly 'bulk-confirmation': BulkConfirmationCardData;
  readonly 'bulk-progress': BulkProgressCardData;
  readonly report: ReportCardData;
  readonly diagnose: DiagnoseCardData;
  readonly 'diagnose-choice': DiagnoseChoiceCardData;
}
