import type { Fact } from '../../domain/actions/action';
import type { HistoryCardData, StatusCardData } from './audit-cards';
import type { BulkConfirmationCardData, BulkProgressCardData } from './bulk-cards';
import type { FailureCardData, FailureDigestCardData } from './failure-cards';

/** What every card awaiting approval shows (single or bulk): the request, who may approve it, the buttons. */
export interface PendingApprovalData {
  readonly rid: string;
  readonly title: string;
  readonly why: string;
  readonly facts: readonly Fact[];
  readonly blocked: string | null;
  readonly notice: string | null;
  readonly requestedBy: string;
  readonly command: string;
  readonly roles: string;
  /** e.g. "four-eyes (actions.retry-provisioning)". */
  readonly approvalRule: string;
  readonly expiresAt: string;
  readonly showApprove: boolean;
  readonly showReject: boolean;
  readonly showCancel: boolean;
  /** Teams ids whose clients refresh the card into their own view. */
  readonly userIds: readonly string[];
}

/** Data for cards/confirmation.json. */
export interface ConfirmationCardData extends PendingApprovalData {
  readonly problems: readonly string[];
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
}
