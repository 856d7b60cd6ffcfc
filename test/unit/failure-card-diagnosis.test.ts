import type { DetectedFailure } from '../../src/domain/failures/failure';
import { failureCard, failureCardData } from '../../src/features/cards/failure-cards';
import { cardText } from '../integration/card-helpers';

const ALICE = '10000000-0000-4000-8000-000000000001';

/** Failures as the monitor's detectors write them. */
function failure(kind: string, errorCode: string, errorMessage: string): DetectedFailure {
  return {
    kind,
    objectId: ALICE,
    objectLabel: 'Alice Smith (alice@contoso.com)',
    errorCode,
    errorMessage,
    occurredAt: '2026-11-21T12:00:00Z',
    remediation: { action: 'retry-provisioning', target: ALICE },
  };
}

describe('the failure card says before anyone clicks whether a retry can help', () => {
  it.each([
    [
      'an Exchange proxy address conflict',
      failure(
        'user-provisioning',
        'ProvisioningError/exchange',
        'The proxy address SMTP:alice@contoso.com is already used by another recipient. (ExDuplicateProxyAddress)',
      ),
      /Fix first: Remove the address from the object that holds it/,
    ],
    [
      'a licence in CountViolation',
      failure('license', 'CountViolation', 'Office 365 E5: Error (CountViolation)'),
      /Fix first: Buy more seats/,
    ],
  ])('%s: at the top, with the fix', (_what, f, fix) => {
    const text = cardText(
      failureCard({ fid: 'f1', failure: f, postedAt: '2026-11-22T12:00:00Z' }, 'the failure monitor'),
    );
    expect(text.indexOf('A retry cannot help until this is fixed')).toBeLessThan(text.indexOf('Error code'));
    expect(text).toMatch(fix);
  });

  it('says plainly when it does not know the error, and leaves Remediate to offer the retry', () => {
    const f = failure('cloudpc', 'provisioningFailed', '1 Cloud PC failed: CPC-1.');
    const data = failureCardData(
      { fid: 'f1', failure: f, postedAt: '2026-11-22T12:00:00Z' },
      'the failure monitor',
    );
    expect(data.retryBlocked).toBe(false);
    const text = cardText(
      failureCard({ fid: 'f1', failure: f, postedAt: '2026-11-22T12:00:00Z' }, 'the failure monitor'),
    );
    expect(text).not.toMatch(/A retry cannot help/);
    expect(text).toMatch(/not in the bot’s knowledge table/);
    expect(text).toMatch(/Remediate/);
  });
});
