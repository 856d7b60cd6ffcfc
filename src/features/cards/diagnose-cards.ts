import { kindLabel } from '../../domain/actions/registry';
import { commandText, type RemediationCommand } from '../../domain/failures/failure';
import type { TargetCandidate } from '../../domain/findings/find-target';
import type { Finding, TargetFindings, TargetKind, UnreadSource } from '../../domain/findings/finding';
import type { DiagnoseCardData, DiagnoseFindingData } from './card-data';
import { idLine, sortFacts } from './card-facts';
import { clip, clipFacts, firstOf, localTime, ROOM } from './card-text';
import { timeBefore } from './relative-time';
import { renderCard, type AdaptiveCardJson } from './render';
import { PICK_LIST_SIZE } from '../../infra/graph/directory-lookup';

/**
 * How much one card lists, so that even the longest texts stay within Teams' message size
 * (test/unit/card-size.test.ts): real targets have a handful of failures with short texts.
 */
const LISTED_FINDINGS = 6;
const FINDING_FACTS = 2;
const TARGET_FACTS = 6;
const UNREAD_LINES = 3;
const PART = 400;

/** The failures of one target that one remediation addresses, or that none of the bot's remediations does. */
export interface DiagnoseSection {
  readonly kind: string;
  readonly findings: readonly Finding[];
  readonly remediation?: RemediationCommand;
  readonly note?: string;
}

/** A section as the card shows it: with the id of the notice its Remediate button carries, if it has one. */
export interface PostedSection extends DiagnoseSection {
  readonly fid: string | undefined;
}

/** Groups findings by the command that fixes them (or the reason none does), in the order they came. */
export function sectionsOf(findings: readonly Finding[]): DiagnoseSection[] {
  const sections = new Map<
    string,
    { kind: string; findings: Finding[]; remediation?: RemediationCommand; note?: string }
  >();
  for (const f of findings) {
    const key = `${f.kind}\u0000${f.remediation ? commandText(f.remediation) : `none\u0000${f.noRemediation ?? ''}`}`;
    const section = sections.get(key) ?? {
      kind: f.kind,
      findings: [],
      ...(f.remediation ? { remediation: f.remediation } : {}),
      ...(f.noRemediation ? { note: f.noRemediation } : {}),
    };
    section.findings.push(f);
    sections.set(key, section);
  }
  return [...sections.values()];
}

const NOUNS: Readonly<Record<TargetKind, string>> = {
  user: 'User',
  policy: 'Cloud PC provisioning policy',
  request: 'Access package request',
  app: 'Enterprise app',
};

/** What "no failures" covers for each kind of target: what was looked at, said plainly. */
const CHECKED: Readonly<Record<TargetKind, string>> = {
  user: 'no unresolved service provisioning error, no licence assignment in error, no access package request that failed delivery and no failed app provisioning in the last day',
  policy: 'none of the policy’s Cloud PCs is in the failed state',
  request: 'the request has not failed delivery',
  app: 'no provisioning job of the app is in quarantine or failed its last run, and no user failed to provision in the last day',
};

/** One finding as the card shows it, and the ids its facts named (for the footer). */
function findingData(f: Finding, readAt: string): { data: DiagnoseFindingData; ids: string[] } {
  const d = f.diagnosis;
  const { facts, times, ids } = sortFacts(clipFacts(d.facts.slice(0, FINDING_FACTS)));
  const data: DiagnoseFindingData = {
    what: clip(f.what, PART),
    when: f.when
      ? `${clip(f.when.word, ROOM.factTitle)} ${timeBefore(f.when.at, readAt, 'this diagnosis')}`
      : null,
    retryHelps: d.retryHelps,
    cause: clip(d.cause, PART),
    fix: clip(d.fixFirst, PART),
    object: d.objectToFix ? clip(d.objectToFix.label, ROOM.name) : null,
    url: d.objectToFix?.url ? clip(d.objectToFix.url, ROOM.line) : null,
    facts,
    times,
  };
  return { data, ids };
}

function unreadLine(u: UnreadSource): string {
  if ('readUpTo' in u) {
    return `Only the first ${u.readUpTo.toLocaleString('en-US')} of the ${u.what} were read: Microsoft Graph lists more than one diagnosis reads, so failures among the rest are not shown.`;
  }
  return `The ${u.what} could not be read: Microsoft Graph answered ${u.status || 'nothing'} (${u.code}). Their failures are not shown; check the app registration's read permissions in the README, or try again in a few minutes.`;
}

function summaryOf(target: TargetFindings, total: number, blocked: number, shown: number): string {
  if (total === 0) {
    const partly = target.unread.length > 0 ? ' in what could be read' : '';
    return `No failures found${partly}: ${CHECKED[target.targetKind]}.`;
  }
  const count = `${total} failure${total === 1 ? '' : 's'} found${shown < total ? ` (the first ${shown} are listed)` : ''}`;
  if (blocked === 0) return `${count}; a retry can help with each.`;
  return `${count}; for ${blocked === total ? (total === 1 ? 'it' : 'all of them') : `${blocked} of them`} a retry cannot help until something else is fixed.`;
}

/**
 * The sections a card lists, each with the findings it has room for: the card's first LISTED_FINDINGS
 * findings, in order. A section left without room is not listed (the summary says how many are).
 */
export function listedSections<S extends DiagnoseSection>(
  sections: readonly S[],
): { section: S; shown: Finding[]; more: string | null }[] {
  let room = LISTED_FINDINGS;
  const out: { section: S; shown: Finding[]; more: string | null }[] = [];
  for (const section of sections) {
    if (room === 0) break;
    const { shown, more } = firstOf(section.findings, room, (rest) => `… and ${rest} more not listed here`);
    room -= shown.length;
    out.push({ section, shown, more });
  }
  return out;
}

/** The data of a diagnose card for one target and its sections. */
export function diagnoseCardData(
  target: TargetFindings,
  sections: readonly PostedSection[],
  readAt: string,
): DiagnoseCardData {
  const total = target.findings.length;
  const blocked = target.findings.filter((f) => !f.diagnosis.retryHelps).length;
  const shown = listedSections(sections);
  const count = shown.reduce((n, s) => n + s.shown.length, 0);
  const read = sortFacts(clipFacts(target.facts.slice(0, TARGET_FACTS)));
  const ids = [...read.ids];
  const commands: string[] = [];
  const sectionData = shown.map(({ section: s, shown: findings, more }) => {
    if (s.remediation) commands.push(commandText(s.remediation));
    return {
      heading: clip(`${kindLabel(s.kind)}${s.remediation ? ` · ${s.remediation.action}` : ''}`, ROOM.title),
      findings: findings.map((f) => {
        const one = findingData(f, readAt);
        ids.push(...one.ids);
        return one.data;
      }),
      more,
      note: s.note ? clip(s.note, PART) : null,
      fid: s.fid ?? null,
      buttonTitle: clip(s.remediation ? `Remediate: ${s.remediation.action}` : 'Remediate', ROOM.name),
    };
  });
  const unread = target.unread.slice(0, UNREAD_LINES);
  for (const u of unread) {
    if ('requestId' in u && u.requestId) ids.push(`request-id of the ${u.what} read ${u.requestId}`);
  }
  const proposes = commands.length > 0 ? ` Remediate proposes ${commands.join('; ')}.` : '';
  return {
    targetNoun: NOUNS[target.targetKind],
    title: clip(`Diagnosis of ${target.label}`, ROOM.title),
    summary: summaryOf(target, total, blocked, count),
    healthy: total === 0 && target.unread.length === 0,
    facts: read.facts,
    times: read.times,
    sections: sectionData,
    unread: unread.map((u) => ({ line: clip(unreadLine(u), ROOM.line) })),
    footer: `Read with the bot’s read-only identity ${localTime(readAt)}.${clip(proposes, ROOM.line)} Each Remediate opens the usual confirmation; nothing changes until someone approves with their own Entra role.${ids.length > 0 ? ` ${idLine(ids)}` : ''}`,
  };
}

/** Renders the list of objects a diagnose target matched, a button each that diagnoses that one. */
export function diagnoseChoiceCard(prompt: string, candidates: readonly TargetCandidate[]): AdaptiveCardJson {
  return renderCard('diagnose-choice', {
    prompt: clip(prompt, ROOM.line),
    candidates: candidates.slice(0, PICK_LIST_SIZE).map((c) => ({
      label: clip(c.label, ROOM.name),
      detail: clip(`${NOUNS[c.kind]} ${c.id}`, ROOM.line),
      kind: c.kind,
      // Object ids are GUIDs; a longer one cannot name anything, and may not make the card too big.
      id: c.id.slice(0, ROOM.name),
    })),
  });
}

/** Renders a diagnose card. */
export function diagnoseCard(
  target: TargetFindings,
  sections: readonly PostedSection[],
  readAt: string,
): AdaptiveCardJson {
  return renderCard('diagnose', diagnoseCardData(target, sections, readAt));
}
