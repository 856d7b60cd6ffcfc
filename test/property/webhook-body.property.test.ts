import fc from 'fast-check';
import { createLogger } from '../../src/infra/logger';
import { ConversationDirectory } from '../../src/features/notify/conversation-directory';
import type { FailureNotifier } from '../../src/features/notify/notifier';
import { NotificationWebhook, signWebhook } from '../../src/features/notify/webhook';
import { MemoryStateStore } from '../../src/infra/storage/memory-state-store';
import { ManualClock } from '../fakes/manual-clock';

/**
 * Hostile webhook requests against the real NotificationWebhook: whatever the headers and body, it answers
 * one of its documented statuses without throwing, and only a signed, fresh, valid event reaches the notifier.
 */
const SECRET = 'webhook-secret-for-property-tests';
const NOW = new Date('2026-11-22T12:00:00Z');
const TS = String(Math.floor(NOW.getTime() / 1000));

function webhook(): { hook: NotificationWebhook; notified: unknown[] } {
  const notified: unknown[] = [];
  const notifier = {
    notify: async (items: unknown[]) => {
      notified.push(...items);
    },
  } as unknown as FailureNotifier;
  const hook = new NotificationWebhook({
    secret: SECRET,
    clock: new ManualClock(NOW.getTime()),
    notifier,
    directory: new ConversationDirectory(new MemoryStateStore(), new ManualClock(NOW.getTime())),
    logger: createLogger('silent'),
  });
  return { hook, notified };
}

const KINDS = ['user-provisioning', 'license', 'access-request', 'cloudpc', 'sync'];
const nearlyValidEvent = fc.record(
  {
    kind: fc.oneof(fc.constantFrom(...KINDS), fc.string()),
    targetId: fc.oneof(
      fc.constantFrom('alice@contoso.com', '10000000-0000-4000-8000-000000000001'),
      fc.string(),
    ),
    targetName: fc.oneof(fc.string(), fc.constant("x' or 1 eq 1")),
    error: fc.oneof(
      fc.record({ code: fc.string(), message: fc.string() }),
      fc.record({ code: fc.constant('E1'), message: fc.constant('m') }),
      fc.anything(),
    ),
    conversationId: fc.string(),
    occurredAt: fc.oneof(fc.constant('2026-11-22T11:00:00Z'), fc.string()),
    servicePrincipalId: fc.string(),
    jobId: fc.string(),
    __proto__: fc.anything(),
  },
  { requiredKeys: [] },
);
/** Always valid: the accepting path is generated on purpose, not left to the odds of `nearlyValidEvent`. */
const identifierText = fc.stringMatching(/^[A-Za-z0-9@._:-]{1,40}$/);
const nonBlank = fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim().length > 0);
const validEvent = fc.oneof(
  fc.record(
    {
      kind: fc.constantFrom(...KINDS.filter((k) => k !== 'sync')),
      targetId: identifierText,
      targetName: nonBlank,
      error: fc.record({ code: nonBlank, message: nonBlank }),
      occurredAt: fc.constant('2026-11-22T11:00:00Z'),
    },
    { requiredKeys: ['kind', 'targetId', 'error'] },
  ),
  fc.record({
    kind: fc.constant('sync'),
    targetId: identifierText,
    error: fc.record({ code: nonBlank, message: nonBlank }),
    servicePrincipalId: identifierText,
  }),
);
const anyBody = fc.oneof(
  nearlyValidEvent.map((e) => JSON.stringify(e)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a).toString('latin1')),
);
const taggedBody = fc.oneof(
  validEvent.map((e) => ({ text: JSON.stringify(e), valid: true })),
  anyBody.map((text) => ({ text, valid: false })),
);

const STATUSES = [202, 400, 401, 404, 413];

it('a correctly signed body of any shape: no exception, a documented status, notified only on 202', async () => {
  const { hook, notified } = webhook();
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(taggedBody, async ({ text, valid }) => {
      const raw = Buffer.from(text, 'utf8');
      const before = notified.length;
      const answer = await hook.handle(
        { 'x-timestamp': TS, 'x-signature': signWebhook(SECRET, TS, raw) },
        raw,
      );
      await hook.drain();
      if (!STATUSES.includes(answer.status)) return false;
      if (answer.status === 401 || answer.status === 413) return false;
      if (valid && answer.status !== 202) return false;
      if (answer.status === 202) accepted++;
      return answer.status === 202 ? notified.length === before + 1 : notified.length === before;
    }),
    { numRuns: 10_000 },
  );
  expect(accepted).toBeGreaterThan(0);
});

it('any headers with any body: no exception, and nothing unsigned is notified', async () => {
  const { hook, notified } = webhook();
  const header = fc.oneof(
    fc.string(),
    fc.constant(TS),
    fc.constant(`sha256=${'0'.repeat(64)}`),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.constant(undefined),
  );
  await fc.assert(
    fc.asyncProperty(anyBody, header, header, async (text, ts, sig) => {
      const raw = Buffer.from(text, 'utf8');
      const answer = await hook.handle({ 'x-timestamp': ts, 'x-signature': sig }, raw);
      return answer.status === 401 && notified.length === 0;
    }),
    { numRuns: 10_000 },
  );
});
