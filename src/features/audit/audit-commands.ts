import { z } from 'zod';
import { VERBS } from '../shared/verbs';
import type { ActionArgs } from '../../domain/actions/action';
import type { ActionRegistry } from '../../domain/actions/registry';
import { settleExpiry } from '../../domain/remediation/expiry';
import type { RemediationStore } from '../../domain/remediation/remediation-store';
import type { AuditLog, AuditQuery } from '../../domain/audit/audit-log';
import { historyCard, statusCard } from '../cards/audit-cards';
import { noticeCard } from '../cards/remediation-cards';
import type { AdaptiveCardJson } from '../cards/render';
import type { CardActionHandler } from '../shared/card-action-router';
import type { CardActionResponse, CardActionTurn, CommandTurn, ReplySink } from '../shared/turns';
import type { Clock } from '../../infra/clock';
import type { Governance } from '../../domain/governance/governance';
import type { BuiltInCommand } from '../commands/built-in-command';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 50;

/** What the audit commands read. */
export interface AuditCommandDeps {
  readonly registry: ActionRegistry;
  readonly store: RemediationStore;
  readonly governance: Governance;
  readonly clock: Clock;
}

function describeFilters(q: AuditQuery): string {
  const parts = [`newest first, ${q.limit} per page`];
  if (q.action) parts.push(`action ${q.action}`);
  if (q.user) parts.push(`user ${q.user}`);
  return parts.join(' · ');
}

/** One page of history: a row per remediation, where it stands now (`status` shows every step). */
async function historyPage(audit: AuditLog, q: AuditQuery): Promise<AdaptiveCardJson> {
  const page = await audit.query({ ...q, latestPerRemediation: true });
  const more = page.next
    ? {
        after: page.next,
        limit: q.limit,
        ...(q.action ? { action: q.action } : {}),
        ...(q.user ? { user: q.user } : {}),
      }
    : null;
  return historyCard(describeFilters(q), page.entries, more);
}

/** A Not allowed card for someone the policy lets neither request nor approve; undefined for the others. */
export async function refusal(
  deps: AuditCommandDeps,
  userId: string | undefined,
): Promise<AdaptiveCardJson | undefined> {
  const may = await deps.governance.authorizer.isParticipant(
    deps.registry.actions.map((a) => a.name),
    userId,
  );
  return may.allowed ? undefined : noticeCard({ title: 'Not allowed', text: may.message, color: 'Warning' });
}

/** `history [--user <user>] [--action <action>] [--limit N]`: recent audit entries, newest first, paged. */
export function historyCommand(deps: AuditCommandDeps): BuiltInCommand {
  return {
    name: 'history',
    aliases: ['audit', 'log'],
    summary: 'Recent remediations and where each stands, from the audit trail',
    description:
      'Lists remediations newest first, one row each at its latest step (requested, approved, rejected, expired, its outcome or verification), with Graph request-ids; status <remediation-id> shows every step.',
    examples: [
      'history',
      'history --user alice@contoso.com',
      'history --action reprocess-license --limit 20',
    ],
    syntax: {
      positional: [],
      flags: [
        {
          name: 'user',
          placeholder: 'user',
          required: false,
          description: 'Only entries about or by this user',
        },
        { name: 'action', placeholder: 'action', required: false, description: 'Only this remediation' },
        {
          name: 'limit',
          placeholder: 'N',
          required: false,
          description: `Entries per page (1–${MAX_LIMIT})`,
        },
      ],
      check: (args: ActionArgs) => {
        const limit = args.flags.limit;
        if (limit !== undefined && !/^\d+$/.test(limit)) return '--limit must be a whole number.';
        if (limit !== undefined && (Number(limit) < 1 || Number(limit) > MAX_LIMIT)) {
          return `--limit must be between 1 and ${MAX_LIMIT}.`;
        }
        if (args.flags.action && !deps.registry.find(args.flags.action)) {
          return `--action must name a remediation: ${deps.registry.actions.map((a) => a.name).join(', ')}.`;
        }
        return undefined;
      },
    },
    async run(args: ActionArgs, turn: CommandTurn, sink: ReplySink) {
      const refused = await refusal(deps, turn.from.aadObjectId);
      if (refused) return void (await sink.sendCard(refused, 'Not allowed'));
      const action = args.flags.action ? deps.registry.find(args.flags.action)?.name : undefined;
      const q: AuditQuery = {
        limit: args.flags.limit ? Number(args.flags.limit) : DEFAULT_LIMIT,
        ...(action ? { action } : {}),
        ...(args.flags.user ? { user: args.flags.user } : {}),
      };
      await sink.sendCard(await historyPage(deps.governance.audit, q), 'Remediation history');
    },
  };
}

const moreData = z.object({
  after: z.string().max(64),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT),
  action: z.string().max(64).optional(),
  user: z.string().max(200).optional(),
});

/** The "Older entries" button of a history card: replaces the card with the next page. */
export function historyPager(deps: AuditCommandDeps): CardActionHandler {
  return {
    verbs: [VERBS.historyMore],
    async handle(turn: CardActionTurn): Promise<CardActionResponse> {
      const data = moreData.safeParse(turn.data);
      if (!data.success) {
        return {
          kind: 'error',
          status: 400,
          code: 'BadCardData',
          message: 'This page link is not valid. Run history again.',
        };
      }
      const refused = await refusal(deps, turn.from.aadObjectId);
      if (refused) return { kind: 'card', card: refused };
      const action = data.data.action ? deps.registry.find(data.data.action)?.name : undefined;
      return {
        kind: 'card',
        card: await historyPage(deps.governance.audit, {
          limit: data.data.limit,
          after: data.data.after,
          ...(action ? { action } : {}),
          ...(data.data.user ? { user: data.data.user } : {}),
        }),
      };
    },
  };
}

/** `status <remediation-id>`: where one remediation stands, with its timeline. */
export function statusCommand(deps: AuditCommandDeps): BuiltInCommand {
  return {
    name: 'status',
    aliases: ['show'],
    summary: 'The state of one remediation and its timeline',
    description:
      'Shows a remediation by the id printed at the bottom of its card: state, who did what, and Graph’s answer.',
    examples: ['status 3q2-8V0c0nYxZb0xQ1bH7A'],
    syntax: {
      positional: [
        { name: 'id', placeholder: 'remediation-id', required: true, description: 'From the card footer' },
      ],
      flags: [],
    },
    async run(args: ActionArgs, turn: CommandTurn, sink: ReplySink) {
      const refused = await refusal(deps, turn.from.aadObjectId);
      if (refused) return void (await sink.sendCard(refused, 'Not allowed'));
      const id = args.positional.id ?? '';
      const found = await deps.store.get(id);
      if (!found) {
        await sink.sendCard(
          noticeCard({
            title: 'Not found',
            text: `No remediation has the id "${id.slice(0, 40)}".`,
            color: 'Warning',
          }),
          'Not found',
        );
        return;
      }
      const { remediation } = await settleExpiry(found, deps.store, deps.governance, deps.clock);
      const timeline = await deps.governance.audit.forRemediation(remediation.id, remediation.createdAt);
      await sink.sendCard(statusCard(remediation, timeline), `Status of ${remediation.id}`);
    },
  };
}
