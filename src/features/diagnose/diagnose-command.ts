import type { ActionArgs, ParamSpec } from '../../domain/actions/action';
import type { ActionRegistry } from '../../domain/actions/registry';
import type { DetectedFailure } from '../../domain/failures/failure';
import { cleanText } from '../../domain/failures/failure';
import { diagnoseTarget } from '../../domain/findings/find-target';
import type { TargetFindings, TargetKind } from '../../domain/findings/finding';
import type { Governance } from '../../domain/governance/governance';
import type { Clock } from '../../infra/clock';
import type { GraphApi } from '../../infra/graph/graph-api';
import { GraphFailure } from '../../infra/graph/graph-failure';
import { diagnoseCard, listedSections, sectionsOf, type PostedSection } from '../cards/diagnose-cards';
import { noticeCard } from '../cards/remediation-cards';
import type { BuiltInCommand } from '../commands/built-in-command';
import type { CommandTurn, ReplySink } from '../shared/turns';

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

const FLAGS: readonly (ParamSpec & { readonly name: TargetKind })[] = [
  {
    name: 'user',
    placeholder: 'user',
    required: false,
    description: 'A user: object id, UPN or display name',
  },
  {
    name: 'policy',
    placeholder: 'policy',
    required: false,
    description: 'A Cloud PC provisioning policy: id or display name',
  },
  {
    name: 'request',
    placeholder: 'request-id',
    required: false,
    description: 'An access package assignment request id',
  },
  {
    name: 'app',
    placeholder: 'app',
    required: false,
    description: 'An enterprise app: display name, appId or object id',
  },
];

/** The target and, when a flag named it, its kind; the syntax check guarantees exactly one is given. */
function targetOf(args: ActionArgs): { query: string; kind?: TargetKind } {
  const flag = FLAGS.find((f) => args.flags[f.name] !== undefined);
  return flag
    ? { query: args.flags[flag.name] ?? '', kind: flag.name }
    : { query: args.positional.target ?? '' };
}

function lookupFailed(f: GraphFailure) {
  const what =
    f.status === 403
      ? "The bot's app registration may not read this in Microsoft Graph: grant it the read permissions listed in the README."
      : 'Microsoft Graph is busy or unreachable, or refused the look-up. Try again in a few minutes.';
  return noticeCard({
    title: 'Diagnosis failed',
    text: `Microsoft Graph answered ${f.status || 'nothing'} (${f.code}): ${f.message}`,
    color: 'Attention',
    hint: `${what}${f.requestId ? ` request-id ${f.requestId}` : ''}`,
  });
}

/** Stores one notice per section that has a remediation, so its button prepares exactly that command. */
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
 * `diagnose <target>` (`why`, `explain`): every failure signal of a user, a Cloud PC provisioning policy, an
 * access package request or an app in one card, each with its cause, whether a retry can help now, what to fix
 * first, and the Remediate button of the remediation that applies. Reads only, with the app's identity; the
 * people the policy lets request or approve some remediation may run it, as they may read the history.
 */
export function diagnoseCommand(deps: DiagnoseDeps): BuiltInCommand {
  return {
    name: 'diagnose',
    aliases: ['why', 'explain'],
    summary: 'Every failure of a user, policy, access request or app, why it fails and what to fix first',
    description:
      'Reads a target with the bot’s read-only identity and lists each failure on record with its cause, whether a retry can help now, what to fix first, and a Remediate button for the remediation that applies. Without a flag the target is looked for among users, Cloud PC provisioning policies, access package requests (by id) and enterprise apps.',
    examples: [
      'diagnose alice@contoso.com',
      'why "Frontline shift workers"',
      'diagnose --app Salesforce',
      'explain --request 3a5f1c6e-8b1f-4ad0-9a2f-0c1e2d3f4a5b',
    ],
    syntax: {
      positional: [
        {
          name: 'target',
          placeholder: 'target',
          required: false,
          description: 'A user, policy, access request id or app; a flag says which when a name is shared',
        },
      ],
      flags: FLAGS,
      check: (args) => {
        const given =
          (args.positional.target !== undefined ? 1 : 0) +
          FLAGS.filter((f) => args.flags[f.name] !== undefined).length;
        if (given !== 1) {
          return 'Name one target: a user, policy, request id or app, or one of --user, --policy, --request, --app.';
        }
        return undefined;
      },
    },
    async run(args: ActionArgs, turn: CommandTurn, sink: ReplySink) {
      const may = await deps.governance.authorizer.isParticipant(
        deps.registry.actions.map((a) => a.name),
        turn.from.aadObjectId,
      );
      if (!may.allowed) {
        const text = 'Only people the approval policy lets request or approve remediations can run diagnose.';
        await sink.sendCard(
          noticeCard({ title: 'Not allowed', text, color: 'Warning', hint: `Rule: ${may.rule}` }),
          text,
        );
        return;
      }
      const { query, kind } = targetOf(args);
      const now = new Date(deps.clock.now());
      let outcome;
      try {
        outcome = await diagnoseTarget(deps.readGraph(turn.correlationId), query, now, kind);
      } catch (err) {
        if (!(err instanceof GraphFailure)) throw err;
        await sink.sendCard(lookupFailed(err), 'The diagnosis failed');
        return;
      }
      switch (outcome.kind) {
        case 'not-found':
          await sink.sendCard(
            noticeCard({ title: 'Not found', text: outcome.message, color: 'Warning' }),
            outcome.message,
          );
          return;
        case 'ambiguous': {
          const lines = outcome.candidates.map((c) => `${c.label}: ${c.id}`).join('; ');
          await sink.sendCard(
            noticeCard({
              title: 'Which one?',
              text: `${outcome.prompt} ${lines}.`,
              color: 'Warning',
              hint: `For example: diagnose ${outcome.candidates[0]?.id ?? ''}`,
            }),
            outcome.prompt,
          );
          return;
        }
        case 'found': {
          const sections = await postSections(deps, outcome.target, turn.address.conversationId, now);
          await sink.sendCard(
            diagnoseCard(outcome.target, sections, now.toISOString()),
            `Diagnosis of ${outcome.target.label}`,
          );
          return;
        }
      }
    },
  };
}
