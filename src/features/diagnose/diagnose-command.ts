import type { ActionArgs, ParamSpec } from '../../domain/actions/action';
import type { TargetKind } from '../../domain/findings/finding';
import type { BuiltInCommand } from '../commands/built-in-command';
import type { CommandTurn, ReplySink } from '../shared/turns';
import { answerDiagnose, type DiagnoseDeps } from './diagnose-answer';

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
      const { query, kind } = targetOf(args);
      const answer = await answerDiagnose(deps, {
        query,
        kind,
        userId: turn.from.aadObjectId,
        address: turn.address,
        correlationId: turn.correlationId,
      });
      await sink.sendCard(answer.card, answer.summary);
    },
  };
}
