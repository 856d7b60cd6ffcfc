import { z } from 'zod';
import { VERBS } from '../shared/verbs';
import type { ActionArgs } from '../../domain/actions/action';
import type { ActionRegistry } from '../../domain/actions/registry';
import { notSavedResponse, postResolvedCard } from '../remediate/post-card';
import { newOpaqueId, type RemediationStore } from '../../domain/remediation/remediation-store';
import type { ResolvedCard, TargetResolver } from '../remediate/target-resolver';
import { remediationCard, sharedView } from '../cards/remediation-cards';
import type { CardActionHandler } from '../shared/card-action-router';
import { type CardActionResponse, type CardActionTurn, type Messenger } from '../shared/turns';
import { sameConversation } from '../../domain/conversation';
import { type Governance } from '../../domain/governance/governance';
import { errorMessage, type Logger } from '../../infra/logger';
import type { RemediationCommand } from '../../domain/failures/failure';
import { FORGOTTEN_ALERTS, type FailureLedger, type Notice } from '../notify/failure-ledger';
import type { BulkService } from './bulk-service';
import { bulkParam } from '../../domain/remediation/bulk-target';

/** What the Remediate all button needs. */
export interface RemediateAllDeps {
  readonly ledger: FailureLedger;
  readonly registry: ActionRegistry;
  readonly resolver: TargetResolver;
  readonly remediations: RemediationStore;
  readonly governance: Governance;
  readonly messenger: Messenger;
  /** Shows the card of a bulk remediation an earlier click already prepared. */
  readonly bulk: Pick<BulkService, 'owns' | 'card'>;
  readonly logger: Logger;
}

/** A digest holds at most 20 lines; the button carries their notice ids, nothing else. */
const data = z.object({ fids: z.array(z.string().max(64)).min(1).max(50) }).passthrough();

interface Group {
  readonly command: RemediationCommand;
  readonly notices: Notice[];
}

/** A card for one group, its records written, and whether this click prepared it (false: an earlier click did). */
interface Prepared extends ResolvedCard {
  readonly fresh: boolean;
  /** Gives the group's notices back when its remediation was not stored, so the buttons work again. */
  readonly release: () => Promise<void>;
}

function groupKey(c: RemediationCommand): string {
  return [c.action, c.app ?? '', c.job ?? ''].join('\u0000');
}

/**
 * The Remediate all button on a digest card. Its data is only the opaque ids of the stored notices the digest
 * lists; each must belong to this conversation. The failures are grouped by the remediation they call for,
 * and each group becomes one bulk remediation through the usual TargetResolver (policy, confirmation,
 * audit), so nothing runs until someone approves. A notice is claimed once, whether by this button or its
 * own Remediate button, so a failure never lands in two remediations.
 */
export class RemediateAllHandler implements CardActionHandler {
  readonly verbs = [VERBS.remediateAll];

  constructor(private readonly deps: RemediateAllDeps) {}

  async handle(turn: CardActionTurn): Promise<CardActionResponse> {
    const parsed = data.safeParse(turn.data);
    if (!parsed.success) {
      return {
        kind: 'error',
        status: 400,
        code: 'BadCardData',
        message: 'This button is missing its failures.',
      };
    }
    const notices: Notice[] = [];
    for (const fid of parsed.data.fids) {
      const notice = await this.deps.ledger.notice(fid);
      if (!notice) continue;
      if (!sameConversation(notice, turn.address)) {
        return {
          kind: 'error',
          status: 403,
          code: 'ForeignConversation',
          message: 'This card belongs to another conversation and cannot be used here.',
        };
      }
      notices.push(notice);
    }
    if (notices.length === 0) {
      return {
        kind: 'error',
        status: 404,
        code: 'UnknownFailure',
        message: `The bot no longer keeps these alerts: ${FORGOTTEN_ALERTS}. If they still fail, run the remediation commands instead.`,
      };
    }
    const groups = new Map<string, Group>();
    for (const notice of notices) {
      const command = notice.failure.remediation;
      const group = groups.get(groupKey(command)) ?? { command, notices: [] };
      group.notices.push(notice);
      groups.set(groupKey(command), group);
    }
    const log = this.deps.logger.child({ correlationId: turn.correlationId });
    const prepared: Prepared[] = [];
    // The first group's card replaces the clicked digest, so its record carries that message's id.
    let replaces = turn.cardActivityId;
    try {
      for (const group of groups.values()) {
        const one = await this.prepare(group, turn, replaces);
        if (!one) continue;
        prepared.push(one);
        replaces = undefined;
      }
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'the remediations of a digest could not be saved');
      await Promise.all(prepared.map((p) => p.release()));
      return notSavedResponse();
    }
    const [first, ...others] = prepared;
    if (!first) {
      return {
        kind: 'error',
        status: 400,
        code: 'BadRemediation',
        message: 'The bot cannot prepare these remediations.',
      };
    }
    // A group an earlier click prepared already has its card in the thread.
    for (const other of others.filter((o) => o.fresh)) {
      try {
        await postResolvedCard(this.deps.messenger, this.deps.remediations, turn.address, other, log);
      } catch (err) {
        // Its request stays pending without a card until it expires; the failures are offered again.
        log.error({ err: errorMessage(err) }, 'the card of a digest remediation could not be posted');
        await other.release();
      }
    }
    return { kind: 'card', card: first.card };
  }

  /** One bulk remediation for the group's notices this click could claim, or the one that already holds them. */
  private async prepare(
    group: Group,
    turn: CardActionTurn,
    replaces: string | undefined,
  ): Promise<Prepared | undefined> {
    const action = this.deps.registry.find(group.command.action);
    const param = action ? bulkParam(action) : undefined;
    if (!action || !param) {
      this.deps.logger.error({ action: group.command.action }, 'digest failure names an unknown remediation');
      return undefined;
    }
    const reserved = newOpaqueId();
    const targets: string[] = [];
    const claimed: string[] = [];
    const holders = new Set<string>();
    for (const notice of group.notices) {
      const holder = await this.deps.ledger.claimNotice(notice.id, reserved);
      if (holder === reserved) {
        targets.push(notice.failure.remediation.target);
        claimed.push(notice.id);
      } else if (holder) holders.add(holder);
    }
    const release = async () => {
      await Promise.all(claimed.map((id) => this.deps.ledger.releaseNotice(id, reserved)));
    };
    if (targets.length === 0) {
      const [holder] = holders;
      const existing = holder ? await this.deps.remediations.get(holder) : undefined;
      if (!existing) return undefined;
      const view = sharedView(this.deps.governance, action);
      const card = this.deps.bulk.owns(existing)
        ? await this.deps.bulk.card(existing, view)
        : remediationCard(existing, view);
      const summary = existing.confirmation.title;
      return { card, summary, remediation: existing, fresh: false, release };
    }
    const flags: Record<string, string> = {};
    if (group.command.app) flags['app'] = group.command.app;
    if (group.command.job) flags['job'] = group.command.job;
    const args: ActionArgs = {
      positional: { [param]: targets[0] ?? '' },
      flags,
      lists: { [param]: targets },
    };
    const command = [
      action.name,
      ...targets,
      ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v]),
    ].join(' ');
    let prepared: ResolvedCard;
    try {
      prepared = await this.deps.resolver.resolve(action, args, {
        from: turn.from,
        address: turn.address,
        command: command.length > 300 ? `${action.name} (${targets.length} failures from a digest)` : command,
        remediationId: reserved,
        bulk: true,
        correlationId: turn.correlationId,
        ...(replaces ? { cardActivityId: replaces } : {}),
      });
    } catch (err) {
      await release();
      throw err;
    }
    this.deps.logger.info(
      { correlationId: turn.correlationId, remediationId: prepared.remediation?.id, targets: targets.length },
      'bulk remediation prepared from a digest',
    );
    if (prepared.remediation?.id !== reserved) {
      // Refused or not found: the card says why, and the failures stay open to the next click.
      await release();
      return { ...prepared, fresh: true, release: async () => undefined };
    }
    return { ...prepared, fresh: true, release };
  }
}
