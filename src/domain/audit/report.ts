import type { AuditEntry, AuditEvent } from './audit-log';

/** The periods `report` accepts, in days. */
export const REPORT_PERIODS = { '7d': 7, '30d': 30 } as const;

/** A period word `report` accepts. */
export type ReportPeriod = keyof typeof REPORT_PERIODS;

/** Where a remediation run stands: how Graph answered, then what verification found. */
export type RunStanding =
  'resolved' | 'still-failing' | 'not-verified' | 'verifying' | 'failed' | 'outcome-unknown';

/** A target whose last remediation in the period did not end in a verified fix. */
export interface StillFailing {
  readonly remediationId: string;
  readonly action: string;
  readonly target: string;
  readonly standing: 'still-failing' | 'failed';
  readonly at: string;
  readonly causes: readonly string[];
}

/** The numbers of one period, computed from the audit trail alone. */
export interface ActivityReport {
  readonly from: string;
  readonly to: string;
  /**
   * Failures detected, by family, most first: the new failures the monitor and the webhook reported, and the
   * distinct failing targets a remediation was requested for that no failure card had reported.
   */
  readonly detected: readonly { readonly kind: string; readonly count: number }[];
  /** Remediations run (Graph called) in the period, bulk runs once each. */
  readonly runs: number;
  readonly standings: Readonly<Record<RunStanding, number>>;
  /** Resolved (verified) over runs; undefined without runs. */
  readonly resolvedShare: number | undefined;
  /** Median from detection to verified resolution, over the resolutions that carry a detection time. */
  readonly medianToResolveMs: number | undefined;
  /** Verified resolutions recorded without a detection time (written before it was kept): not in the median. */
  readonly resolvedWithoutDetection: number;
  /** Knowledge-table entries behind the requests, most frequent first (`unknown`: not in the table). */
  readonly causes: readonly { readonly entry: string; readonly count: number }[];
  /** Requests recorded without a diagnosis (made before it was kept, bulk requests, undiagnosed actions). */
  readonly requestsWithoutDiagnosis: number;
  readonly stillFailing: readonly StillFailing[];
}

/** What the report needs to know of the remediations: each one's failure family, and how its outcome is decided. */
export interface ReportRules {
  kindOf(action: string): string;
  /**
   * True for a remediation that is not re-read because Graph's answer itself says whether it worked
   * (provisionOnDemand's steps): its accepted run with an answer (200) is resolved at once, while an empty
   * 204 says only that Entra accepted it.
   */
  decidedByAnswer(action: string): boolean;
}

/** The middle value (the mean of the two middle ones for an even count); undefined for none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

const RUN_EVENTS: Partial<Record<AuditEvent, RunStanding>> = {
  succeeded: 'verifying',
  failed: 'failed',
  'outcome-unknown': 'outcome-unknown',
};

/** Verification verdicts that settle a run; `verified-still-failing` is a check with more to come. */
const VERDICTS: Partial<Record<AuditEvent, RunStanding>> = {
  'verified-resolved': 'resolved',
  'still-failing': 'still-failing',
  'not-verified': 'not-verified',
};

/** Counts by key, most first; a key given as `[key, n]` counts n. */
function countsOf(keys: readonly (string | readonly [string, number])[]): { key: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const k of keys) {
    const [key, n] = typeof k === 'string' ? [k, 1] : k;
    counts.set(key, (counts.get(key) ?? 0) + n);
  }
  return [...counts]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/**
 * Summarises the entries of one period (any order): the failures detected by family, the runs and where each stands now, the share verified resolved, the median time from
 * detection to verified resolution, the knowledge table's causes behind the requests, and the targets whose
 * latest run did not fix them.
 */
export function summarize(
  entries: readonly AuditEntry[],
  period: { readonly from: string; readonly to: string },
  rules: ReportRules,
): ActivityReport {
  const { kindOf } = rules;
  const oldestFirst = [...entries].sort(
    (a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? 1 : -1),
  );
  const requested = new Map<string, AuditEntry>();
  const runs = new Map<string, { entry: AuditEntry; standing: RunStanding }>();
  const toResolve: number[] = [];
  let resolvedWithoutDetection = 0;
  for (const e of oldestFirst) {
    if (!e.remediationId) continue;
    if (e.event === 'requested') requested.set(e.remediationId, e);
    const ran = RUN_EVENTS[e.event];
    if (ran) runs.set(e.remediationId, { entry: e, standing: ran });
    const answered = e.event === 'succeeded' && e.graph?.status === 200 && rules.decidedByAnswer(e.action);
    const verdict = answered ? 'resolved' : VERDICTS[e.event];
    const run = runs.get(e.remediationId);
    if (!verdict || !run) continue;
    run.standing = verdict;
    run.entry = e;
    if (verdict !== 'resolved') continue;
    if (e.failure) toResolve.push(Date.parse(e.at) - Date.parse(e.failure.detectedAt));
    else resolvedWithoutDetection++;
  }
  const standings: Record<RunStanding, number> = {
    resolved: 0,
    'still-failing': 0,
    'not-verified': 0,
    verifying: 0,
    failed: 0,
    'outcome-unknown': 0,
  };
  for (const { standing } of runs.values()) standings[standing]++;
  const targets = new Set<string>();
  const kinds: (string | [string, number])[] = entries.flatMap((e) =>
    e.event === 'failures-detected' ? [[kindOf(e.action), e.count ?? 1] as [string, number]] : [],
  );
  const causes: string[] = [];
  let requestsWithoutDiagnosis = 0;
  for (const r of requested.values()) {
    const kind = kindOf(r.action);
    if (!r.failure?.notified && !targets.has(`${kind}\u0000${r.target}`)) kinds.push(kind);
    targets.add(`${kind}\u0000${r.target}`);
    const entries = r.failure?.causes ?? [];
    if (entries.length === 0) requestsWithoutDiagnosis++;
    causes.push(...new Set(entries));
  }
  return {
    ...period,
    detected: countsOf(kinds).map(({ key, count }) => ({ kind: key, count })),
    runs: runs.size,
    standings,
    resolvedShare: runs.size === 0 ? undefined : standings.resolved / runs.size,
    medianToResolveMs: median(toResolve),
    resolvedWithoutDetection,
    causes: countsOf(causes).map(({ key, count }) => ({ entry: key, count })),
    requestsWithoutDiagnosis,
    stillFailing: stillFailing([...runs.values()]),
  };
}

/** The latest run of each target, where it ended failed or still failing, newest first. */
function stillFailing(runs: readonly { entry: AuditEntry; standing: RunStanding }[]): StillFailing[] {
  const latest = new Map<string, { entry: AuditEntry; standing: RunStanding }>();
  for (const run of runs) {
    const key = `${run.entry.action}\u0000${run.entry.target}`;
    const known = latest.get(key);
    if (!known || Date.parse(known.entry.at) <= Date.parse(run.entry.at)) latest.set(key, run);
  }
  return [...latest.values()]
    .filter((r) => r.standing === 'still-failing' || r.standing === 'failed')
    .sort((a, b) => Date.parse(b.entry.at) - Date.parse(a.entry.at))
    .map(({ entry, standing }) => ({
      remediationId: entry.remediationId ?? '',
      action: entry.action,
      target: entry.target,
      standing: standing as 'still-failing' | 'failed',
      at: entry.at,
      causes: entry.failure?.causes ?? [],
    }));
}
