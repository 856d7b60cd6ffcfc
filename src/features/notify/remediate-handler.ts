import type { ActionRegistry } from '../../domain/actions/registry';
import { VERBS } from '../shared/verbs';
import { newOpaqueId, type RemediationStore } from '../../domain/remediation/remediation-store';
import { remediationCard, sharedView } from '../cards/remediation-cards';
import { type Governance } from '../../domain/governance/governance';
import { notSavedResponse } from '../remediate/post-card';
import type { ResolvedCard, TargetResolver } from '../remediate/target-resolver';
import type { CardActionHandler } from '../shared/card-action-router';
import { type CardActionResponse, type CardActionTurn } from '../shared/turns';
import { sameConversation } from '../../domain/conversation';
import { parseCommand } from '../commands/command-parser';
import { errorMessage, type Logger } from '../../infra/logger';
import { commandText } from '../../domain/failures/failure';
import { FORGOTTEN_ALERTS, type FailureLedger } from './failure-ledger';

/** What the Remediate button needs. */
export interface RemediateDeps {
  readonly ledger: FailureLedger;
  readonly registry: ActionRegistry;
  readonly resolver: TargetResolver;
  readonly remediations: RemediationStore;
  readonly governance: Governance;
  readonly logger: Logger;
}

function error(status: 400 | 403 | 404, code: string, message: string): CardActionResponse {
  return { kind: 'error', status, code, message };
}

/**
 * The Remediate button on failure cards. Its data is only the opaque id of a stored notice; the action and
 * target come from the store and go through the same parser and TargetResolver as a typed command, so the
 * click answers with the usual confirmation card and nothing runs until someone approves.
 */
export class RemediateHandler implements CardActionHandler {
  readonly verbs = [VERBS.remediate];

  constructor(private readonly deps: RemediateDeps) {}

  async handle(turn: CardActionTurn): Promise<CardActionResponse> {
    const fid = (turn.data as { fid?: unknown } | undefined)?.fid;
    const notice = await this.deps.ledger.notice(fid);
    if (!notice) {
      return error(
        404,
        'UnknownFailure',
        `The bot no longer keeps this alert: ${FORGOTTEN_ALERTS}. If it still fails, run the remediation command instead.`,
      );
    }
    if (!sameConversation(notice, turn.address)) {
      return error(
        403,
        'ForeignConversation',
        'This card belongs to another conversation and cannot be used here.',
      );
    }
    const command = commandText(notice.failure.remediation);
    const parsed = parseCommand(command, this.deps.registry);
    if (parsed.kind !== 'action') {
      this.deps.logger.error({ command, kind: parsed.kind }, 'stored remediation command does not parse');
      return error(
        400,
        'BadRemediation',
        'The bot cannot prepare this remediation. Run the command instead.',
      );
    }
    const reserved = newOpaqueId();
    const holder = await this.deps.ledger.claimNotice(notice.id, reserved);
    if (holder !== reserved) {
      const existing = holder ? await this.deps.remediations.get(holder) : undefined;
      return existing
        ? { kind: 'card', card: remediationCard(existing, sharedView(this.deps.governance, parsed.action)) }
        : error(
            404,
            'AlreadyPreparing',
            'This remediation is already being prepared; look for its card in the thread.',
          );
    }
    // The ledger's first sighting, unless the record is of a later recurrence than this card's failure.
    const firstSeen = (await this.deps.ledger.record(notice.failure))?.firstSeen;
    const detectedAt = firstSeen && firstSeen < notice.createdAt ? firstSeen : notice.createdAt;
    let resolved: ResolvedCard;
    try {
      resolved = await this.deps.resolver.resolve(parsed.action, parsed.args, {
        from: turn.from,
        address: turn.address,
        command,
        remediationId: reserved,
        correlationId: turn.correlationId,
        detectedAt,
        ...(turn.cardActivityId ? { cardActivityId: turn.cardActivityId } : {}),
      });
    } catch (err) {
      this.deps.logger.error(
        { correlationId: turn.correlationId, noticeId: notice.id, err: errorMessage(err) },
        'the remediation for a failure card could not be prepared',
      );
      await this.deps.ledger.releaseNotice(notice.id, reserved);
      return notSavedResponse();
    }
    if (resolved.remediation?.id !== reserved) await this.deps.ledger.releaseNotice(notice.id, reserved);
    this.deps.logger.info(
      {
        correlationId: turn.correlationId,
        noticeId: notice.id,
        remediationId: resolved.remediation?.id,
        command,
      },
      'remediation prepared from a failure card',
    );
    return { kind: 'card', card: resolved.card };
  }
}
