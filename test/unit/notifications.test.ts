import { createHmac } from 'node:crypto';
import { failureCard, failureDigestCard } from '../../src/features/cards/failure-cards';
import { parseKinds } from '../../src/features/notify/subscription-commands';
import { backoffDelay, verdictFor } from '../../src/features/shared/delivery';
import { planCards } from '../../src/features/notify/digest';
import { remediationFor, type FailureKind } from '../../src/domain/actions/registry';
import { cleanText, commandText, fingerprint, type DetectedFailure } from '../../src/domain/failures/failure';
import {
  failureFromEvent,
  parseWebhookEvent,
  signWebhook,
  verifySignature,
} from '../../src/features/notify/webhook';

const NOW = Date.parse('2026-11-22T12:00:00Z');

describe('fingerprint: kind + object + error', () => {
  const base = { kind: 'license' as FailureKind, objectId: 'user-1', errorCode: 'CountViolation' };
  it.each([
    ['the same failure', base, true],
    ['another message does not matter', { ...base }, true],
    [
      'case of the object id and code does not matter',
      { ...base, objectId: 'USER-1', errorCode: 'countviolation' },
      true,
    ],
    ['another kind', { ...base, kind: 'user-provisioning' as FailureKind }, false],
    ['another object', { ...base, objectId: 'user-2' }, false],
    ['another error', { ...base, errorCode: 'DependencyViolation' }, false],
  ])('%s → same: %s', (_name, other, same) => {
    expect(fingerprint(other) === fingerprint(base)).toBe(same);
  });

  it('cannot be forged by moving text between fields', () => {
    expect(fingerprint({ kind: 'sync', objectId: 'a', errorCode: 'bc' })).not.toBe(
      fingerprint({ kind: 'sync', objectId: 'ab', errorCode: 'c' }),
    );
  });
});

describe('remediation for each kind', () => {
  it.each([
    ['user-provisioning', { target: 'u1' }, 'retry-provisioning u1'],
    ['license', { target: 'u1' }, 'reprocess-license u1'],
    ['access-request', { target: 'r1' }, 'reprocess-access-request r1'],
    ['cloudpc', { target: 'p1' }, 'retry-cloudpc-policy p1'],
    ['sync', { target: 'u1', app: 'sp1' }, 'provision-on-demand u1 --app sp1'],
    ['sync', { target: 'u1', app: 'sp1', job: 'job.1' }, 'provision-on-demand u1 --app sp1 --job job.1'],
  ] as const)('%s %j → %s', (kind, ids, command) => {
    expect(commandText(remediationFor(kind, ids))).toBe(command);
  });
});

describe('digest decision', () => {
  const items = (n: number) => Array.from({ length: n }, (_, i) => i);
  it.each([
    [0, 5, []],
    [1, 5, ['single']],
    [5, 5, ['single', 'single', 'single', 'single', 'single']],
    [6, 5, ['digest:6']],
    [2, 1, ['digest:2']],
    [20, 5, ['digest:20']],
    [21, 5, ['digest:11', 'digest:10']],
    [45, 5, ['digest:15', 'digest:15', 'digest:15']],
  ])('%i new failures, threshold %i → %j', (n, threshold, expected) => {
    const plans = planCards(items(n), threshold);
    expect(plans.map((p) => (p.kind === 'single' ? 'single' : `digest:${p.items.length}`))).toEqual(expected);
    expect(plans.flatMap((p) => (p.kind === 'single' ? [p.item] : p.items))).toEqual(items(n));
  });
});

describe('backoff', () => {
  it.each([
    ['Retry-After 0', 1, 0, 0.99, 0],
    ['Retry-After 2 s, no jitter', 1, 2000, 0, 2000],
    ['Retry-After 2 s, full jitter (+10 %)', 3, 2000, 1, 2200],
    ['first retry, lowest jitter', 1, undefined, 0, 500],
    ['first retry, highest jitter', 1, undefined, 1, 1000],
    ['second retry, middle', 2, undefined, 0.5, 1500],
    ['fourth retry, highest', 4, undefined, 1, 8000],
    ['capped at a minute', 12, undefined, 1, 60_000],
    ['capped, lowest', 12, undefined, 0, 30_000],
  ])('%s → %i ms', (_name, retry, retryAfter, random, expected) => {
    expect(backoffDelay(retry, retryAfter, () => random)).toBe(expected);
  });

  it.each([
    [429, 'Throttled', 'retry'],
    [412, 'PreconditionFailed', 'retry'],
    [502, 'ServiceError', 'retry'],
    [503, 'HTTP503', 'retry'],
    [504, 'HTTP504', 'retry'],
    [0, 'NetworkError', 'retry'],
    [403, 'ConversationBlockedByUser', 'pause'],
    [403, 'BotDisabledByAdmin', 'pause'],
    [403, 'BotNotInConversationRoster', 'forget'],
    [404, 'ConversationNotFound', 'forget'],
    [404, 'ActivityNotFoundInConversation', 'fail'],
    [403, 'NotEnoughPermissions', 'fail'],
    [403, 'ForbiddenOperationException', 'fail'],
    [403, 'HTTP403', 'fail'],
    [404, 'HTTP404', 'fail'],
    [400, 'BadArgument', 'fail'],
    [401, 'BotNotRegistered', 'fail'],
    [413, 'MessageSizeTooBig', 'fail'],
    [500, 'ServiceError', 'fail'],
  ] as const)('%i %s → %s', (status, code, verdict) => {
    expect(verdictFor({ status, code })).toBe(verdict);
  });
});

describe('webhook signature', () => {
  const secret = 's3cret';
  const body = Buffer.from('{"kind":"license"}');
  const ts = String(NOW / 1000);
  const good = createHmac('sha256', secret).update(`${ts}.${body.toString()}`).digest('hex');

  it('signs HMAC-SHA256 over `${timestamp}.${rawBody}`', () => {
    expect(signWebhook(secret, ts, body)).toBe(good);
  });

  it.each([
    ['hex', good, ts, NOW, 'ok'],
    ['sha256=<hex>', `sha256=${good}`, ts, NOW, 'ok'],
    ['upper-case hex', good.toUpperCase(), ts, NOW, 'ok'],
    ['4 min 59 s old', good, ts, NOW + 299_000, 'ok'],
    ['5 min 1 s old', good, ts, NOW + 301_000, 'StaleTimestamp'],
    ['5 min 1 s ahead', good, ts, NOW - 301_000, 'StaleTimestamp'],
    [
      'one hex digit changed',
      `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`,
      ts,
      NOW,
      'BadSignature',
    ],
    ['truncated', good.slice(0, 63), ts, NOW, 'BadSignature'],
    ['not hex', 'z'.repeat(64), ts, NOW, 'BadSignature'],
    ['timestamp not a number', good, 'yesterday', NOW, 'BadTimestamp'],
    ['timestamp signed differently', good, String(NOW / 1000 + 1), NOW, 'BadSignature'],
    ['no signature', undefined, ts, NOW, 'MissingHeaders'],
    ['no timestamp', good, undefined, NOW, 'MissingHeaders'],
  ])('%s → %s', (_name, signature, timestamp, nowMs, expected) => {
    const verdict = verifySignature({ secret, signature, timestamp, rawBody: body, nowMs });
    expect(verdict.ok ? 'ok' : verdict.reason).toBe(expected);
  });

  it('signs the exact bytes: a re-serialised body does not verify', () => {
    const spaced = Buffer.from('{ "kind": "license" }');
    expect(verifySignature({ secret, signature: good, timestamp: ts, rawBody: spaced, nowMs: NOW }).ok).toBe(
      false,
    );
  });
});

describe('webhook body', () => {
  const valid = {
    kind: 'license',
    targetId: 'alice@contoso.com',
    error: { code: 'CountViolation', message: 'No licences left' },
  };
  it.each([
    ['valid', valid, undefined],
    ['not JSON', '{', '(body)'],
    ['an array', [], '(body)'],
    ['no kind', { ...valid, kind: undefined }, 'kind'],
    ['unknown kind', { ...valid, kind: 'fax' }, 'kind'],
    ['empty target', { ...valid, targetId: '' }, 'targetId'],
    ['target with spaces', { ...valid, targetId: 'a b' }, 'targetId'],
    ['no error', { ...valid, error: undefined }, 'error'],
    ['empty message', { ...valid, error: { code: 'x', message: '' } }, 'error.message'],
    ['long code', { ...valid, error: { code: 'x'.repeat(129), message: 'm' } }, 'error.code'],
    ['conversation not a string', { ...valid, conversationId: 5 }, 'conversationId'],
    ['sync without app', { ...valid, kind: 'sync' }, 'servicePrincipalId'],
    ['sync with app', { ...valid, kind: 'sync', servicePrincipalId: 'sp-1' }, undefined],
  ])('%s → %s', (_name, body, field) => {
    const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const parsed = parseWebhookEvent(raw);
    expect(parsed.ok ? undefined : parsed.field).toBe(field);
  });

  it('becomes the same failure shape as the monitor produces', () => {
    const parsed = parseWebhookEvent(
      Buffer.from(
        JSON.stringify({
          kind: 'sync',
          targetId: 'u1',
          targetName: 'Alice',
          servicePrincipalId: 'sp1',
          jobId: 'job.1',
          error: { code: 'E1', message: 'Broken\u0007 <b>badly</b>' },
          occurredAt: '2026-11-22T11:00:00+01:00',
        }),
      ),
    );
    if (!parsed.ok) throw new Error(parsed.message);
    expect(failureFromEvent(parsed.event, new Date(NOW))).toEqual({
      kind: 'sync',
      objectId: 'sp1/u1',
      objectLabel: 'Alice',
      errorCode: 'E1',
      errorMessage: 'Broken badly',
      occurredAt: '2026-11-22T10:00:00.000Z',
      remediation: { action: 'provision-on-demand', target: 'u1', app: 'sp1', job: 'job.1' },
    });
  });
});

describe('subscription kinds', () => {
  it.each([
    [['all'], ['user-provisioning', 'license', 'cloudpc', 'access-request', 'sync']],
    [
      ['sync', 'license'],
      ['license', 'sync'],
    ],
    [['license,cloudpc'], ['license', 'cloudpc']],
    [
      ['LICENCE', 'Cloud-PC'],
      ['license', 'cloudpc'],
    ],
    [['provisioning'], ['user-provisioning']],
    [[], []],
  ])('%j → %j', (words, kinds) => {
    expect(parseKinds(words)).toEqual({ kinds });
  });

  it.each([
    [['cloudcp'], { unknown: 'cloudcp', suggestion: 'cloudpc' }],
    [['sync', 'printers'], { unknown: 'printers' }],
  ])('%j → %j', (words, result) => {
    expect(parseKinds(words)).toEqual(result);
  });
});

describe('failure cards', () => {
  const failure: DetectedFailure = {
    kind: 'cloudpc',
    objectId: 'p1',
    objectLabel: 'Frontline',
    errorCode: 'provisioningFailed',
    errorMessage: '2 Cloud PCs failed: CPC-1, CPC-2.',
    occurredAt: '2026-11-22T12:00:00.000Z',
    remediation: remediationFor('cloudpc', { target: 'p1' }),
  };

  it('shows what failed, the error, when, the remediation, and carries only the notice id', () => {
    const card = failureCard(
      { fid: 'AAAAAAAAAAAAAAAAAAAAAA', failure, postedAt: '2026-11-24T13:30:00Z' },
      'Found by the failure monitor',
    );
    const text = JSON.stringify(card);
    for (const part of [
      'Frontline',
      'provisioningFailed',
      'Failed {{DATE(2026-11-22T12:00:00Z, SHORT)}} {{TIME(2026-11-22T12:00:00Z)}}, 2 days before this alert.',
      '"title":"Object","value":"Frontline"',
      '"title":"Fix with","value":"retry-cloudpc-policy for Frontline"',
      'object p1 · Remediate proposes retry-cloudpc-policy p1',
    ]) {
      expect(text).toContain(part);
    }
    expect(text.match(/"data":\{[^}]*\}/g)).toEqual(['"data":{"fid":"AAAAAAAAAAAAAAAAAAAAAA"}']);
    expect(text).not.toMatch(/\$\{/);
  });

  it('gives each digest line its own Remediate button', () => {
    const card = failureDigestCard(
      [
        { fid: 'a'.repeat(22), failure, postedAt: '2026-11-22T13:00:00Z' },
        { fid: 'b'.repeat(22), failure: { ...failure, objectId: 'p2' }, postedAt: '2026-11-22T13:00:00Z' },
      ],
      'Found by the failure monitor',
    );
    const text = JSON.stringify(card);
    expect(text).toContain('2 new provisioning failures');
    expect(text).toContain(
      'Failed {{DATE(2026-11-22T12:00:00Z, SHORT)}} {{TIME(2026-11-22T12:00:00Z)}}, 1 h before this alert',
    );
    expect(text.match(/"verb":"remediate"/g)).toHaveLength(2);
    expect(text).not.toMatch(/\$\{|\$data/);
  });

  it.each([
    ['a\u0000b\u001fc', 'a b c'],
    ['<x>tag</x> text', 'tag text'],
    ['x'.repeat(600), `${'x'.repeat(499)}…`],
  ])('cleans %j', (input, output) => {
    expect(cleanText(input)).toBe(output);
  });
});
