import {
  adviceOf,
  blockingDiagnosis,
  diagnose,
  recognise,
  UNKNOWN_FAILURE,
} from '../../src/domain/actions/diagnosis';
import { KNOWLEDGE, REMEDIATIONS } from '../../src/domain/actions/registry';

describe('the knowledge table', () => {
  it.each(KNOWLEDGE.map((e) => [e.id, e] as const))(
    '%s recognises each of its samples, and no earlier entry takes them',
    (_id, entry) => {
      for (const sample of entry.samples) expect(recognise(KNOWLEDGE, sample)?.id).toBe(entry.id);
    },
  );

  it('names each entry once, under the family of the remediation that holds it', () => {
    const ids = KNOWLEDGE.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of REMEDIATIONS) for (const e of r.knowledge) expect(e.kind).toBe(r.kind);
  });

  it('cites a Microsoft Learn page for every entry', () => {
    for (const e of KNOWLEDGE) expect(e.source).toMatch(/^https:\/\/learn\.microsoft\.com\//);
  });

  const exchangeUnknown = {
    kind: 'user-provisioning',
    service: 'exchange',
    code: 'ExMailboxCreationFailed',
    text: 'The mailbox could not be created.',
  };
  const conflictElsewhere = {
    kind: 'user-provisioning',
    service: 'teams',
    text: 'The proxy address SMTP:a@b.com is already used by another recipient.',
  };
  it.each([
    ['CountViolation', 'license-count', { kind: 'license', code: 'CountViolation' }, false],
    ['a code of another family', 'unknown', { kind: 'user-provisioning', code: 'CountViolation' }, true],
    ['an Exchange error the table does not know', 'unknown', exchangeUnknown, true],
    ['an address conflict reported by another service', 'unknown', conflictElsewhere, true],
  ] as const)('%s → %s', (_what, entry, signal, retryHelps) => {
    const d = diagnose(KNOWLEDGE, signal);
    expect(d.entry ?? 'unknown').toBe(entry);
    expect(d.retryHelps).toBe(retryHelps);
  });

  it('says plainly when it does not know an error, and leaves the retry open', () => {
    const d = diagnose(KNOWLEDGE, { kind: 'cloudpc', text: 'Something new' });
    expect(d).toBe(UNKNOWN_FAILURE);
    expect(d.cause).toMatch(/not in the bot’s knowledge table/);
    expect(blockingDiagnosis([d])).toBeUndefined();
  });

  it('leads with the first diagnosis a retry cannot help', () => {
    const count = adviceOf(KNOWLEDGE.find((e) => e.id === 'license-count')!);
    expect(blockingDiagnosis([UNKNOWN_FAILURE, count])).toBe(count);
  });
});
