import { UNKNOWN_FAILURE, type Diagnosis } from '../../src/domain/actions/diagnosis';
import type { Finding, TargetFindings, UnreadSource } from '../../src/domain/findings/finding';
import { diagnoseCardData, sectionsOf } from '../../src/features/cards/diagnose-cards';

const BLOCKING: Diagnosis = { ...UNKNOWN_FAILURE, entry: 'license-count', retryHelps: false };

function finding(n: number, blocked = false, action = 'retry-provisioning'): Finding {
  return {
    kind: 'user-provisioning',
    what: `failure ${n}`,
    code: 'X',
    diagnosis: blocked ? BLOCKING : UNKNOWN_FAILURE,
    remediation: { action, target: 'u1' },
  };
}

function user(findings: Finding[], unread: UnreadSource[] = []): TargetFindings {
  return { targetKind: 'user', id: 'u1', label: 'Alice', facts: [], findings, unread };
}

const REFUSED: UnreadSource = {
  what: 'access package requests',
  status: 403,
  code: 'Denied',
  requestId: 'r1',
};

describe('the summary of a diagnose card', () => {
  it.each([
    ['no failure, all read', user([]), /^No failures found: no unresolved/, true],
    ['no failure, a source unread', user([], [REFUSED]), /^No failures found in what could be read: /, false],
    [
      'one failure a retry can help',
      user([finding(1)]),
      /^1 failure found; a retry can help with each\.$/,
      false,
    ],
    [
      'one failure it cannot',
      user([finding(1, true)]),
      /^1 failure found; for it a retry cannot help/,
      false,
    ],
    [
      'all of several blocked',
      user([finding(1, true), finding(2, true)]),
      /^2 failures found; for all of them a retry cannot help/,
      false,
    ],
    [
      'some blocked',
      user([finding(1, true), finding(2), finding(3)]),
      /^3 failures found; for 1 of them a retry cannot help/,
      false,
    ],
    [
      'more than the card lists',
      user(Array.from({ length: 9 }, (_, i) => finding(i, false, `action-${i}`))),
      /^9 failures found \(the first 6 are listed\); a retry can help with each\.$/,
      false,
    ],
  ] as const)('%s', (_case, target, summary, healthy) => {
    const sections = sectionsOf(target.findings).map((s) => ({ ...s, fid: 'f' }));
    const data = diagnoseCardData(target, sections, '2026-11-22T12:00:00Z');
    expect(data.summary).toMatch(summary);
    expect(data.healthy).toBe(healthy);
  });
});

describe('the sections of a diagnose card', () => {
  it.each([
    ['one command for several errors', [finding(1), finding(2)], [2]],
    ['a section per command', [finding(1), finding(2, false, 'reprocess-license'), finding(3)], [2, 1]],
    [
      'no button, grouped by the reason',
      [{ ...finding(1), remediation: undefined, noRemediation: 'direct' }, finding(2)],
      [1, 1],
    ],
  ] as const)('%s', (_case, findings, sizes) => {
    expect(sectionsOf(findings as readonly Finding[]).map((s) => s.findings.length)).toEqual(sizes);
  });
});
