import type { ActionArgs } from '../../domain/actions/action';
import { KNOWLEDGE, kindLabel, REMEDIATIONS } from '../../domain/actions/registry';
import { REPORT_PERIODS, summarize, type ReportPeriod } from '../../domain/audit/report';
import { reportCard, type ReportLabels } from '../cards/report-cards';
import type { BuiltInCommand } from '../commands/built-in-command';
import type { CommandTurn, ReplySink } from '../shared/turns';
import { refusal, type AuditCommandDeps } from './audit-commands';

const DAY_MS = 24 * 3_600_000;
const PERIODS = Object.keys(REPORT_PERIODS) as ReportPeriod[];

function isPeriod(word: string): word is ReportPeriod {
  return (PERIODS as readonly string[]).includes(word);
}

/** The family of a remediation by its name, as the registry declares it. */
function kindOf(action: string): string {
  return REMEDIATIONS.find((r) => r.name === action)?.kind ?? action;
}

/** Families by their card label; knowledge-table entries by their cause in plain words. */
const LABELS: ReportLabels = {
  kind: kindLabel,
  cause: (entry) =>
    entry === 'unknown'
      ? 'Not in the knowledge table (the error is shown as Entra reports it)'
      : (KNOWLEDGE.find((k) => k.id === entry)?.cause ?? entry),
};

/**
 * `report [7d|30d]`: what the bot did over a week or a month, computed from the audit trail alone, for people
 * the policy lets request or approve (as history).
 */
export function reportCommand(deps: AuditCommandDeps): BuiltInCommand {
  return {
    name: 'report',
    aliases: ['stats'],
    summary:
      'Failures, remediations, the share verified resolved and what is still failing, over 7 or 30 days',
    description:
      'Reads the audit trail of the last 7 days (or 30): failures detected by kind, remediations run, the share verified resolved, the median time from detection to verified resolution, the top causes from the knowledge table, and what is still failing.',
    examples: ['report', 'report 30d'],
    syntax: {
      positional: [
        {
          name: 'period',
          placeholder: PERIODS.join('|'),
          required: false,
          description: `The period: ${PERIODS.join(' or ')} (default 7d)`,
        },
      ],
      flags: [],
      check: (args: ActionArgs) => {
        const period = args.positional.period?.toLowerCase();
        return period === undefined || isPeriod(period)
          ? undefined
          : `The period must be ${PERIODS.join(' or ')}: "report 7d" for the last 7 days, "report 30d" for the last 30.`;
      },
    },
    async run(args: ActionArgs, turn: CommandTurn, sink: ReplySink) {
      const refused = await refusal(deps, turn.from.aadObjectId);
      if (refused) return void (await sink.sendCard(refused, 'Not allowed'));
      const word = args.positional.period?.toLowerCase() ?? '7d';
      // The syntax check has refused any other word before this runs.
      const period: ReportPeriod = isPeriod(word) ? word : '7d';
      const days = REPORT_PERIODS[period];
      const to = new Date(deps.clock.now());
      const from = new Date(to.getTime() - days * DAY_MS);
      const entries = await deps.governance.audit.since(from.toISOString());
      const report = summarize(
        entries,
        { from: from.toISOString(), to: to.toISOString() },
        { kindOf, decidedByAnswer: (action) => !deps.registry.find(action)?.verify },
      );
      await sink.sendCard(reportCard(report, days, LABELS), `Provisioning report: last ${days} days`);
    },
  };
}
