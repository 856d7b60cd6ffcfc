import type { ActivityReport, RunStanding } from '../../domain/audit/report';
import type { ReportCardData } from './card-data';
import { clip, ROOM } from './card-text';
import { renderCard, type AdaptiveCardJson } from './render';

/** How the report names families and knowledge-table entries (the registry knows both). */
export interface ReportLabels {
  kind(kind: string): string;
  cause(entry: string): string;
}

const STANDING_WORDS: Readonly<Record<RunStanding, string>> = {
  resolved: 'Resolved (verified)',
  'still-failing': 'Still failing',
  'not-verified': 'Could not verify',
  verifying: 'Accepted, not verified yet',
  failed: 'Failed',
  'outcome-unknown': 'Outcome unknown',
};

/** The causes and still-failing targets a card lists; the rest are counted. */
const LIST_MAX = 5;

/** A duration as people say it: "4 min", "3 h 5 min", "2 d 6 h". */
export function durationText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

function utc(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

function share(report: ActivityReport): string {
  if (report.resolvedShare === undefined) return 'no remediation was run';
  const percent = Math.round(report.resolvedShare * 100);
  return `${percent}% (${report.standings.resolved} of ${report.runs})`;
}

function medianText(report: ActivityReport): string {
  if (report.medianToResolveMs === undefined) return 'none verified resolved with a detection time';
  const over = report.standings.resolved - report.resolvedWithoutDetection;
  return `${durationText(report.medianToResolveMs)} (over ${over} resolution${over === 1 ? '' : 's'})`;
}

function notesOf(report: ActivityReport): string[] {
  const notes = [
    'Failures detected counts the new failures the monitor and the webhook reported, and the failing targets a fix was requested for that no failure card had reported; a failure reported before the trail counted detections is not counted.',
    'Detection time is when the bot first knew of the failure: the monitor’s first sighting where the remediation came from its failure card, else the request.',
  ];
  if (report.resolvedWithoutDetection > 0) {
    notes.push(
      `${report.resolvedWithoutDetection} resolution(s) were recorded before the trail kept detection times, so they are left out of the median.`,
    );
  }
  if (report.requestsWithoutDiagnosis > 0) {
    notes.push(
      `${report.requestsWithoutDiagnosis} request(s) carry no diagnosis (bulk requests, requests whose look-up found no error to diagnose, or recorded before diagnoses were kept), so they are not among the causes.`,
    );
  }
  if (report.standings.verifying > 0) {
    notes.push(
      `${report.standings.verifying} run(s) were accepted by Graph but not verified (checks still to come, verification off, or an empty answer to provision-on-demand), so they count as not resolved.`,
    );
  }
  return notes;
}

/** The report card: headline numbers, charts with a text fallback, top causes and what is still failing. */
export function reportCard(report: ActivityReport, days: number, labels: ReportLabels): AdaptiveCardJson {
  const detectedTotal = report.detected.reduce((n, d) => n + d.count, 0);
  const standings = (Object.keys(STANDING_WORDS) as RunStanding[])
    .filter((s) => report.standings[s] > 0)
    .map((s) => ({ x: STANDING_WORDS[s], y: report.standings[s] }));
  const data: ReportCardData = {
    title: `Provisioning report: last ${days} days`,
    period: `${utc(report.from)} to ${utc(report.to)}, from the audit trail`,
    headline: [
      { title: 'Failures detected', value: String(detectedTotal) },
      { title: 'Remediations run', value: String(report.runs) },
      { title: 'Verified resolved', value: share(report) },
      { title: 'Median, detection to verified resolution', value: medianText(report) },
    ],
    detected: report.detected.map((d) => ({
      legend: clip(labels.kind(d.kind), ROOM.factTitle),
      value: d.count,
    })),
    standings,
    detectedFacts: report.detected.map((d) => ({
      title: clip(labels.kind(d.kind), ROOM.factTitle),
      value: String(d.count),
    })),
    standingFacts: standings.map((s) => ({ title: s.x, value: String(s.y) })),
    causes: report.causes.slice(0, LIST_MAX).map((c) => ({
      title: `${c.count} ×`,
      value: clip(labels.cause(c.entry), ROOM.factValue),
    })),
    stillFailing: report.stillFailing.slice(0, LIST_MAX).map((s) => ({
      headline: `${STANDING_WORDS[s.standing]} · ${clip(s.action, ROOM.factTitle)} · ${clip(s.target, ROOM.line)}`,
      footnote: [
        utc(s.at),
        ...(s.causes.length > 0 ? [clip(labels.cause(s.causes[0] ?? ''), ROOM.line)] : []),
        `status ${s.remediationId}`,
      ].join(' · '),
    })),
    notes: [
      ...(report.stillFailing.length > LIST_MAX
        ? [`${report.stillFailing.length - LIST_MAX} more targets are still failing; history lists them.`]
        : []),
      ...notesOf(report),
    ],
  };
  return renderCard('report', data);
}
