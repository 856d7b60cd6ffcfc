import { failureCard, failureDigestCard, failureTitle, type PostedFailure } from '../cards/failure-cards';
import type { ConversationAddress } from '../../domain/conversation';
import type { Clock } from '../../infra/clock';
import type { Logger } from '../../infra/logger';
import type { ConversationDirectory } from './conversation-directory';
import { planCards } from './digest';
import { FAILURE_KINDS, type FailureKind } from '../../domain/actions/registry';
import { fingerprint, type DetectedFailure } from '../../domain/failures/failure';
import type { FailureNature } from '../../domain/failures/detector';
import type { FailureLedger } from './failure-ledger';
import type { NotificationSender } from './sender';
import type { AuditLog } from '../../domain/audit/audit-log';

/** Where a batch of failures came from, and where it may go. */
export interface NotifyOptions {
  /** Shown on the card: who found the failure. */
  readonly source: string;
  /** Post only to this conversation (a webhook naming one), whatever it subscribed to. */
  readonly conversation?: { readonly conversationId: string; readonly address: ConversationAddress };
}

/** A failure and whether it is a lasting state or a one-off event. */
export interface Observed {
  readonly failure: DetectedFailure;
  readonly nature: FailureNature;
}

/** What one batch led to, for logs and tests. */
export interface NotifyReport {
  readonly failures: number;
  /** Failures newly posted, over every conversation. */
  readonly posted: number;
  readonly cards: number;
  readonly digests: number;
  readonly undelivered: number;
}

interface Target {
  readonly conversationId: string;
  readonly address: ConversationAddress;
  readonly kinds: readonly FailureKind[];
}

/** What the notifier needs. */
export interface NotifierDeps {
  readonly ledger: FailureLedger;
  readonly directory: ConversationDirectory;
  readonly sender: NotificationSender;
  readonly clock: Clock;
  readonly logger: Logger;
  /** More new failures than this for one conversation in one batch become a digest. */
  readonly digestThreshold: number;
  /** Where new failures are counted, one entry per family and batch, for `report`. */
  readonly audit?: AuditLog;
}

/**
 * Turns detected failures into cards: records them in the ledger, claims each (failure, conversation)
 * once, and posts one card per new failure, or digests above the threshold. A send that does not get
 * through releases its claims, so the next cycle tries again.
 */
export class FailureNotifier {
  constructor(private readonly deps: NotifierDeps) {}

  async notify(observed: readonly Observed[], options: NotifyOptions): Promise<NotifyReport> {
    const now = new Date(this.deps.clock.now());
    const byFingerprint = new Map<string, Observed>();
    for (const o of observed) {
      if (this.deps.ledger.isHistory(o.failure, o.nature, now)) continue;
      const key = fingerprint(o.failure);
      if (!byFingerprint.has(key) || o.nature === 'state') byFingerprint.set(key, o);
    }
    const unique: DetectedFailure[] = [];
    const fresh: DetectedFailure[] = [];
    for (const o of byFingerprint.values()) {
      const record = await this.deps.ledger.observe(o.failure, o.nature, now);
      unique.push(o.failure);
      if (record.firstSeen === now.toISOString() && Object.keys(record.postedTo).length === 0) {
        fresh.push(o.failure);
      }
    }
    await this.auditDetections(fresh, options);
    const targets = options.conversation
      ? [{ ...options.conversation, kinds: FAILURE_KINDS }]
      : await this.subscribedTargets();
    const reports = await Promise.all(targets.map((t) => this.notifyConversation(t, unique, options, now)));
    return reports.reduce<NotifyReport>(
      (sum, r) => ({
        failures: unique.length,
        posted: sum.posted + r.posted,
        cards: sum.cards + r.cards,
        digests: sum.digests + r.digests,
        undelivered: sum.undelivered + r.undelivered,
      }),
      { failures: unique.length, posted: 0, cards: 0, digests: 0, undelivered: 0 },
    );
  }

  /** One `failures-detected` entry per family with failures the ledger had not recorded (or had forgotten). */
  private async auditDetections(fresh: readonly DetectedFailure[], options: NotifyOptions): Promise<void> {
    if (!this.deps.audit) return;
    const byKind = new Map<string, DetectedFailure[]>();
    for (const f of fresh) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
    for (const failures of byKind.values()) {
      const first = failures[0] as DetectedFailure;
      await this.deps.audit.append({
        event: 'failures-detected',
        actor: { aadObjectId: undefined, name: 'the bot' },
        conversationId: options.conversation?.conversationId ?? '',
        remediationId: undefined,
        action: first.remediation.action,
        target:
          failures.length === 1
            ? first.objectLabel
            : `${failures.length} failures, among them ${first.objectLabel}`,
        detail: options.source,
        count: failures.length,
      });
    }
  }

  private async subscribedTargets(): Promise<Target[]> {
    const targets: Target[] = [];
    for (const s of await this.deps.directory.subscriptions()) {
      const address = (await this.deps.directory.reference(s.conversationId))?.address ?? s.address;
      targets.push({ conversationId: s.conversationId, address, kinds: s.kinds });
    }
    return targets;
  }

  private async notifyConversation(
    target: Target,
    failures: readonly DetectedFailure[],
    options: NotifyOptions,
    now: Date,
  ): Promise<Omit<NotifyReport, 'failures'>> {
    const { ledger, sender, digestThreshold } = this.deps;
    const fresh: PostedFailure[] = [];
    for (const failure of failures.filter((f) => target.kinds.some((k) => k === f.kind))) {
      if (!(await ledger.claim(failure, target.conversationId, now))) continue;
      const notice = await ledger.createNotice(failure, target.conversationId, now);
      fresh.push({ fid: notice.id, failure, postedAt: now.toISOString() });
    }
    let cards = 0;
    let digests = 0;
    let undelivered = 0;
    const plans = planCards(fresh, digestThreshold);
    const results = await Promise.all(
      plans.map(async (plan) => {
        const items = plan.kind === 'single' ? [plan.item] : plan.items;
        const card =
          plan.kind === 'single'
            ? failureCard(plan.item, options.source)
            : failureDigestCard(plan.items, options.source);
        const summary =
          plan.kind === 'single'
            ? failureTitle(plan.item.failure)
            : `${plan.items.length} new provisioning failures`;
        const result = await sender.send(target.address, card, summary);
        return { plan, items, result };
      }),
    );
    for (const { plan, items, result } of results) {
      if (result.outcome === 'sent') {
        cards++;
        if (plan.kind === 'digest') digests++;
        continue;
      }
      undelivered += items.length;
      for (const { failure } of items) await ledger.release(failure, target.conversationId);
    }
    const posted = fresh.length - undelivered;
    if (fresh.length > 0) {
      this.deps.logger.info(
        { conversationId: target.conversationId, posted, cards, digests, undelivered },
        'failure notifications sent',
      );
    }
    return { posted, cards, digests, undelivered };
  }
}
