import type { DirectoryUser } from '../../../infra/graph/directory-lookup';
import { describeUser, findServicePrincipals } from '../../../infra/graph/directory-lookup';
import type { GraphApi, GraphResult } from '../../../infra/graph/graph-api';
import { segment } from '../../../infra/graph/odata';
import {
  sendRequest,
  type ActionArgs,
  type Fact,
  type Interpretation,
  type RemediationAction,
  type Resolution,
} from '../action';
import { chooseOne, USERS_PARAM } from '../choose-one';
import { lookupUser, userFacts } from '../resolve-user';

interface SynchronizationJob {
  readonly id: string;
  readonly templateId?: string;
  readonly status?: { readonly code?: string; readonly lastExecution?: { readonly state?: string } };
}

interface SynchronizationRule {
  readonly id: string;
  readonly name?: string;
  readonly sourceDirectoryName?: string;
  readonly targetDirectoryName?: string;
}

/** What is kept between confirmation and execution. */
export interface ProvisionOnDemandTarget {
  readonly user: Pick<DirectoryUser, 'id' | 'displayName' | 'userPrincipalName'>;
  readonly servicePrincipal: { readonly id: string; readonly displayName?: string; readonly appId?: string };
  readonly jobId: string;
  readonly ruleId: string;
}

const ENTRA_DIRECTORY = /azure active directory|microsoft entra|^aad$/i;

function jobsPath(spId: string): string {
  return `/servicePrincipals/${segment(spId)}/synchronization/jobs`;
}

/**
 * Picks the rule that provisions from Entra into the app. The command names an Entra user, so inbound
 * (HR-driven) rules, whose subjects live in the source system, cannot serve it.
 */
export function pickRule(rules: readonly SynchronizationRule[]): SynchronizationRule | undefined {
  return rules.find((r) => ENTRA_DIRECTORY.test(r.sourceDirectoryName ?? ''));
}

interface ProvisioningStep {
  readonly name?: string;
  readonly status?: string;
  readonly description?: string;
}

interface OnDemandValue {
  readonly provisioningSteps?: readonly ProvisioningStep[];
  /** Null, or an object with null fields, for a Skipped result: its reason is in the key. */
  readonly statusInfo?: {
    readonly status?: string | null;
    readonly errorCode?: string | null;
    readonly reason?: string | null;
    readonly recommendedAction?: string | null;
  } | null;
  readonly action?: string;
}

/** The key's JSON: `{"result":"Success|Skipped|Failure","details":{"errorCode":…,"errorMessage":…}}`. */
interface OnDemandKey {
  readonly result?: string;
  readonly details?: { readonly errorCode?: string | null; readonly errorMessage?: string | null } | null;
}

function parseJson<T>(text: unknown): T | undefined {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** Skip reasons that mean the user already matches the target (the page's example: RedundantExport). */
const ALREADY_IN_SYNC = /redundant/i;

function skippedSummary(
  name: string,
  app: string,
  code: string | undefined,
  reason: string | undefined,
): string {
  const said = `Entra skipped ${name}${reason ? `: ${reason.replace(/\.$/, '')}` : ''}${code ? ` (${code})` : ''}.`;
  if (code && ALREADY_IN_SYNC.test(code)) {
    return `${said} ${name} is already in sync with ${app}, so nothing needed to change.`;
  }
  return `${said} A skipped user is usually out of scope for ${app}: assign the user, or a group they are in, to the app (Enterprise applications › ${app} › Users and groups), or change the app's scoping filter so that it matches them, then provision again.`;
}

/**
 * Reads provisionOnDemand's answer: a stringKeyStringValuePair whose key and value are themselves JSON
 * strings (value may be "{}"), or the older empty 204. The result and, for Skipped, its reason are in the key
 * (the page's example: `"key": "{\"result\":\"Skipped\",\"details\":{\"errorCode\":\"RedundantExport\",…}}"`
 * with a statusInfo that carries no reason); a failure's details are in the key or in value.statusInfo.
 */
export function interpretOnDemand(target: ProvisionOnDemandTarget, result: GraphResult): Interpretation {
  const name = target.user.displayName ?? target.user.id;
  const app = target.servicePrincipal.displayName ?? 'the app';
  if (result.status === 204 || result.body === undefined) {
    return {
      outcome: 'succeeded',
      summary: `Entra accepted the on-demand provisioning of ${name}; the outcome appears in the provisioning logs.`,
      facts: [],
      details: [],
    };
  }
  const pair = result.body as { key?: unknown; value?: unknown };
  const key = parseJson<OnDemandKey>(pair.key);
  const value = parseJson<OnDemandValue>(pair.value) ?? {};
  const status = value.statusInfo ?? undefined;
  const verdict = key?.result ?? status?.status ?? 'Unknown';
  const code = key?.details?.errorCode || status?.errorCode || undefined;
  const reason = key?.details?.errorMessage || status?.reason || undefined;
  const recommended = status?.recommendedAction || undefined;
  const facts: Fact[] = [{ title: 'Result', value: verdict }];
  if (value.action) facts.push({ title: 'Action', value: value.action });
  if (code) facts.push({ title: 'Error code', value: code });
  if (reason) facts.push({ title: 'Reason', value: reason });
  if (recommended) facts.push({ title: 'Recommended action', value: recommended });
  const details = (value.provisioningSteps ?? []).map(
    (s) => `${s.status ?? '?'} · ${s.name ?? 'step'}${s.description ? `: ${s.description}` : ''}`,
  );
  if (/^success$/i.test(verdict)) {
    return { outcome: 'succeeded', summary: `${name} was provisioned to ${app}.`, facts, details };
  }
  if (/^skipped$/i.test(verdict)) {
    return {
      outcome: 'failed',
      headline: 'Skipped',
      summary: skippedSummary(name, app, code, reason),
      facts,
      details,
    };
  }
  return {
    outcome: 'failed',
    summary: `Provisioning ${name} to ${app} failed${reason ? `: ${reason.replace(/\.$/, '')}` : ''}.${recommended ? ` ${recommended}` : ''}`,
    facts,
    details,
  };
}

async function resolve(args: ActionArgs, graph: GraphApi): Promise<Resolution<ProvisionOnDemandTarget>> {
  const found = await lookupUser(graph, args, { positional: 'user' });
  if (found.kind !== 'one') return found;
  const user = found.item;
  const appQuery = args.flags.app ?? '';
  const app = chooseOne(
    await findServicePrincipals(graph, appQuery),
    args,
    { flag: 'app' },
    {
      notFound: `No enterprise application matches "${appQuery}". Use its display name, appId or object id.`,
      ambiguous: (n) => `${n} enterprise applications are named "${appQuery}". Which one?`,
      label: (s) => s.displayName ?? s.id,
      detail: (s) => `appId ${s.appId ?? '?'}`,
      id: (s) => s.id,
    },
  );
  if (app.kind !== 'one') return app;
  const sp = app.item;
  const appName = sp.displayName ?? sp.id;
  const jobs = await graph.list<SynchronizationJob>(jobsPath(sp.id));
  const wanted = args.flags.job;
  const matching = wanted ? jobs.filter((j) => j.id === wanted) : jobs;
  const jobChoice = chooseOne(
    matching,
    args,
    { flag: 'job' },
    {
      notFound: wanted
        ? `${appName} has no provisioning job "${wanted}". Its jobs: ${jobs.map((j) => j.id).join(', ') || 'none'}.`
        : `${appName} has no provisioning (synchronization) job. Set up provisioning for the app first.`,
      ambiguous: (n) => `${appName} has ${n} provisioning jobs. Which one?`,
      label: (j) => j.id,
      detail: (j) => `${j.templateId ?? 'job'} · ${j.status?.code ?? 'unknown'}`,
      id: (j) => j.id,
    },
  );
  if (jobChoice.kind !== 'one') return jobChoice;
  const job = jobChoice.item;
  const schema = await graph.get<{ synchronizationRules?: SynchronizationRule[] }>(
    `${jobsPath(sp.id)}/${segment(job.id)}/schema`,
  );
  const rule = pickRule(schema.synchronizationRules ?? []);
  const target: ProvisionOnDemandTarget = {
    user: { id: user.id, displayName: user.displayName, userPrincipalName: user.userPrincipalName },
    servicePrincipal: { id: sp.id, displayName: sp.displayName, appId: sp.appId },
    jobId: job.id,
    ruleId: rule?.id ?? '',
  };
  return {
    kind: 'resolved',
    target,
    confirmation: {
      title: `Provision ${describeUser(user)} to ${sp.displayName ?? sp.id} now`,
      why: `Runs the app's provisioning for this one user instead of waiting for the next cycle (job status: ${job.status?.code ?? 'unknown'}).`,
      facts: [
        ...userFacts(user),
        { title: 'Application', value: `${sp.displayName ?? '—'} (appId ${sp.appId ?? '—'})` },
        { title: 'Job', value: `${job.id} (${job.templateId ?? 'unknown template'})` },
        { title: 'Job status', value: job.status?.code ?? 'unknown' },
        {
          title: 'Rule',
          value: rule
            ? `${rule.name ?? rule.id} (${rule.sourceDirectoryName ?? '?'} → ${rule.targetDirectoryName ?? '?'})`
            : 'none',
        },
      ],
      problems:
        job.status?.code && /quarantine/i.test(job.status.code)
          ? ['The provisioning job is in quarantine.']
          : [],
      ...(rule
        ? {}
        : {
            blocked: `No synchronization rule of job ${job.id} provisions from Microsoft Entra ID, so on-demand provisioning cannot target this user.`,
          }),
    },
  };
}

/** POST …/synchronization/jobs/{jobId}/provisionOnDemand: provisions one user through an app's job now. */
export const provisionOnDemand: RemediationAction<ProvisionOnDemandTarget> = {
  name: 'provision-on-demand',
  aliases: ['provision', 'provisionondemand', 'pod'],
  summary: "Provision one user now through an enterprise app's provisioning job",
  description:
    "Runs the app's synchronization job for a single user and reports each provisioning step. Graph allows about 5 such requests per 10 seconds.",
  examples: [
    'provision-on-demand alice@contoso.com --app "Salesforce"',
    'provision-on-demand alice@contoso.com --app Workday --job Workday.abc123',
    'provision-on-demand alice@contoso.com bob@contoso.com --app "Salesforce"',
  ],
  syntax: {
    positional: [{ ...USERS_PARAM, required: true }],
    flags: [
      {
        name: 'app',
        placeholder: 'app',
        required: true,
        description: 'Enterprise app: display name, appId or object id',
      },
      {
        name: 'job',
        placeholder: 'jobId',
        required: false,
        description: 'Synchronization job id, when the app has several',
      },
    ],
  },
  graphVersion: 'v1.0',
  permission: 'Synchronization.ReadWrite.All',
  roles: ['Application Administrator', 'Cloud Application Administrator', 'Global Administrator'],
  resolve,

  request(target) {
    return {
      method: 'POST',
      url: `${jobsPath(target.servicePrincipal.id)}/${segment(target.jobId)}/provisionOnDemand`,
      version: 'v1.0',
      body: {
        parameters: [
          { ruleId: target.ruleId, subjects: [{ objectId: target.user.id, objectTypeName: 'User' }] },
        ],
      },
    };
  },

  execute(target, graph) {
    return sendRequest(graph, provisionOnDemand.request(target));
  },

  describe(target) {
    return { id: target.user.id, label: describeUser(target.user) };
  },

  /** Graph allows 5 provisionOnDemand requests per 10 seconds; a bulk run paces itself per job. */
  rateLimit: {
    requests: 5,
    windowMs: 10_000,
    key: (target) => `${target.servicePrincipal.id}/${target.jobId}`,
  },

  interpret: interpretOnDemand,
};
