import type { ActionRegistry } from '../../domain/actions/registry';
import type { Governance } from '../../domain/governance/governance';
import type { Remediation, RunnerIdentity } from '../../domain/remediation/remediation';
import type { RemediationStore } from '../../domain/remediation/remediation-store';
import type { VerifiedUser } from '../../infra/auth/sso-token-validator';
import type { Clock } from '../../infra/clock';
import type { DelegatedGraphFactory } from '../../infra/graph/graph-api';
import type { Logger } from '../../infra/logger';
import type { CardView } from '../cards/remediation-cards';
import type { AdaptiveCardJson } from '../cards/render';
import type { ApproverSignIn } from '../shared/approver-sign-in';
import type { IssuedToken } from '../shared/delegated-token';
import type { Messenger } from '../shared/turns';
import type { TargetResolver } from './target-resolver';
import type { Verifier } from './verification';

/**
 * Where bulk remediations go once approved: the policy checks, sign-in, on-behalf-of exchange and the
 * conditional pending → running write stay with the approval, shared with single remediations; the hook runs
 * the targets and draws the bulk cards.
 */
export interface BulkRemediations {
  owns(r: Remediation): boolean;
  card(r: Remediation, view: CardView): Promise<AdaptiveCardJson>;
  start(
    r: Remediation,
    access: {
      readonly user: VerifiedUser;
      readonly ssoToken: string;
      readonly issued: IssuedToken;
      readonly correlationId: string;
    },
    clickedCardId: string | undefined,
  ): Promise<AdaptiveCardJson>;
}

/** Everything the approval flow depends on, injected so tests drive it with fakes on the wire. */
export interface ApprovalDeps {
  readonly registry: ActionRegistry;
  readonly store: RemediationStore;
  readonly resolver: TargetResolver;
  /** Proves who clicked Approve and exchanges their sign-in for a Graph token (shared with Resume). */
  readonly signIn: ApproverSignIn;
  readonly delegatedGraph: DelegatedGraphFactory;
  readonly messenger: Messenger;
  readonly clock: Clock;
  /** How long an invoke may take, sign-in checks included, before it answers "Running". */
  readonly deadlineMs: number;
  readonly logger: Logger;
  readonly governance: Governance;
  /** This process, recorded on every run it starts so a restart can tell interrupted runs apart. */
  readonly instance?: RunnerIdentity;
  /** Runs bulk remediations after the same approval; absent: every remediation is single. */
  readonly bulk?: BulkRemediations;
  /** Re-reads what Graph accepted at VERIFY_AFTER's times; absent: nothing is verified. */
  readonly verifier?: Verifier;
}
