import type { ActionRegistry } from '../../domain/actions/registry';
import type { ConversationAddress } from '../../domain/conversation';
import { cleanText, type DetectedFailure } from '../../domain/failures/failure';
import { diagnoseTarget } from '../../domain/findings/find-target';
import type { TargetFindings, TargetKind } from '../../domain/findings/finding';
import type { Governance } from '../../domain/governance/governance';
import type { Clock } from '../../infra/clock';
import type { GraphApi } from '../../infra/graph/graph-api';
import { GraphFailure } from '../../infra/graph/graph-failure';
import {
  diagnoseCard,
  diagnoseChoiceCard,
  listedSections,
  sectionsOf,
  type PostedSection,
} from '../cards/diagnose-cards';
import { noticeCard } from '../cards/remediation-cards';
import type { AdaptiveCardJson } from '../cards/render';

/**
 * Where a diagnose card's Remediate buttons point: the notices of the failure ledger, which the notification
 * feature's Remediate handler turns into the usual confirmation, with the clicker as requester.
 */
export interface NoticeBoard {
  createNotice(failure: DetectedFailure, conversationId: string, now: Date): Promise<{ readonly id: string }>;
}

/** What `diagnose` reads and writes. */
export interface DiagnoseDeps {
  readonly registry: ActionRegistry;
  readonly governance: Governance;
  readonly clock: Clock;
  /** The app's read-only client, as seen from one turn (its correlation id). */
  readonly readGraph: (correlationId: string) => GraphApi;
  readonly notices: NoticeBoard;
}

/** Who asks for a diagnosis, where, and of what. */
export interface DiagnoseRequest {
  readonly query: string;
  readonly kind: TargetKind | undefined;
  readonly userId: string | undefined;
  readonly address: ConversationAddress;
  readonly correlationId: string;
}

/** A card to answer with, and the notification's summary. */
export interface DiagnoseAnswer {
  readonly card: AdaptiveCardJson;
  readonly summary: string;
}

function lookupFailed(f: GraphFailure): DiagnoseAnswer {
  const what =
    f.status === 403
      ? "The bot's app registration may not read this in Microsoft Graph: grant it the read permissions listed in the README."
      : 'Microsoft Graph is busy or unreachable, or refused the look-up. Try again in a few minutes.';
  return {
    card: noticeCard({
      title: 'Diagnosis failed',
      text: `Microsoft Graph answered ${f.status || 'nothing'} (${f.code}): ${f.message}`,
      color: 'Attention',
      hint: `${what}${f.requestId ? ` request-id ${f.requestId}` : ''}`,
    }),
    summary: 'The diagnosis failed',
  };
}

/** Stores one notice per listed section that has a remediation, so its button prepares exactly that command. */
async function postSections(
  deps: DiagnoseDeps,
  target: TargetFindings,
  conversationId: string,
  now: Date,
): Promise<PostedSection[]> {
  return Promise.all(
    listedSections(sectionsOf(target.findings)).map(async ({ section: s }) => {
      const [first] = s.findings;
      if (!s.remediation || !first) return { ...s, fid: undefined };
      const failure: DetectedFailure = {
        kind: s.kind,
        objectId: target.id,
        objectLabel: cleanText(target.label, 200),
        errorCode: first.code,
        errorMessage: cleanText(first.what),
        occurredAt: first.when?.at ?? now.toISOString(),
        remediation: s.remediation,
      };
      const notice = await deps.notices.createNotice(failure, conversationId, now);
      return { ...s, fid: notice.id };
    }),
  );
}

/**
 * The answer to a diagnose request, typed or clicked: a refusal for someone the policy does not let request
 * or approve, the diagnosis card, a choice between several matches, or why there is none.
 */
export async function answerDiagnose(deps: DiagnoseDeps, req: DiagnoseRequest): Promise<DiagnoseAnswer> {
  const may = await deps.governance.authorizer.isParticipant(
    deps.registry.actions.map((a) => a.name),
    req.userId,
  );
  if (!may.allowed) {
    const text = 'Only people the approval policy lets request or approve remediations can run diagnose.';
    return {
      card: noticeCard({ title: 'Not allowed', text, color: 'Warning', hint: `Rule: ${may.rule}` }),
      summary: text,
    };
  }
  const now = new Date(deps.clock.now());
  let outcome;
  try {
    outcome = await diagnoseTarget(deps.readGraph(req.correlationId), req.query, now, req.kind);
  } catch (err) {
    if (!(err instanceof GraphFailure)) throw err;
    return lookupFailed(err);
  }
  switch (outcome.kind) {
    case 'not-found':
      return {
        card: noticeCard({ title: 'Not found', text: outcome.message, color: 'Warning' }),
        summary: outcome.message,
      };
    case 'ambiguous':
      return { card: diagnoseChoiceCard(outcome.prompt, outcome.candidates), summary: outcome.prompt };
    case 'found': {
      const sections = await postSections(deps, outcome.target, req.address.conversationId, now);
      return {
        card: diagnoseCard(outcome.target, sections, now.toISOString()),
        summary: `Diagnosis of ${outcome.target.label}`,
      };
    }
  }
}
