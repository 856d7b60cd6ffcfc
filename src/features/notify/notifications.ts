import type { ActionRegistry } from '../../domain/actions/registry';
import type { RemediationStore } from '../../domain/remediation/remediation-store';
import type { TargetResolver } from '../remediate/target-resolver';
import type { Clock, Repeating } from '../../infra/clock';
import { subscriptionCommands } from './subscription-commands';
import type { PagingGraphApi } from '../../infra/graph/graph-api';
import { errorMessage, type Logger } from '../../infra/logger';
import type { StateStore } from '../../infra/storage/state-store';
import { ConversationDirectory } from './conversation-directory';
import { ConversationStatus } from './conversation-status';
import { FailureLedger } from './failure-ledger';
import { InstallationTracker } from './installation-tracker';
import { FailureMonitor } from './monitor';
import { DEFAULT_MONITOR_GRAPH_SHARE, monitorGraph } from './monitor-graph';
import { FailureNotifier } from './notifier';
import { RemediateHandler } from './remediate-handler';
import type { Governance } from '../../domain/governance/governance';
import type { Leadership } from '../../infra/storage/leadership';
import { NotificationSender, type ProactiveChannel } from './sender';
import { NotificationWebhook } from './webhook';
import type { Feature } from '../shared/feature';

/** What the notification feature is built from; app.ts passes its shared pieces. */
export interface NotificationsDeps {
  readonly store: StateStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The app-only, read-only Graph client. */
  readonly readGraph: PagingGraphApi;
  readonly channel: ProactiveChannel;
  readonly registry: ActionRegistry;
  readonly resolver: TargetResolver;
  readonly remediations: RemediationStore;
  readonly governance: Governance;
  readonly settings: {
    readonly monitorIntervalMs: number | undefined;
    /** Pages each detector reads per cycle at most (MONITOR_PAGE_BUDGET); unset: the monitor's default. */
    readonly monitorPageBudget?: number;
    /** The share of Graph's directory read quota the monitor may use (MONITOR_GRAPH_SHARE); unset: 0.25. */
    readonly monitorGraphShare?: number;
    readonly digestThreshold: number;
    readonly webhookSecret: string | undefined;
  };
  /** Jitter source for retries; tests pin it. */
  readonly random?: () => number;
  /** With several instances: which one runs the monitor (a blob lease); unset: this one. */
  readonly leadership?: Leadership;
}

/** The running notification feature: what the bot, the server and tests plug into. */
export interface Notifications extends Feature {
  readonly directory: ConversationDirectory;
  /** Pauses, resumes and forgets conversations by Teams' refusals; every sender asks it before sending. */
  readonly status: ConversationStatus;
  readonly ledger: FailureLedger;
  readonly monitor: FailureMonitor;
  readonly sender: NotificationSender;
  readonly installations: InstallationTracker;
  readonly remediate: RemediateHandler;
  /** Present only when NOTIFY_WEBHOOK_SECRET is set. */
  readonly webhook: NotificationWebhook | undefined;
}

/** How often the ledger is swept when no monitor cycle does it (webhook alerts only). */
const HOUSEKEEPING_EVERY_MS = 3_600_000;

/** Builds the proactive-notification feature (issue 4) from the app's shared dependencies. */
export function createNotifications(deps: NotificationsDeps): Notifications {
  const { store, clock, logger, settings } = deps;
  const log = logger.child({ feature: 'notifications' });
  const directory = new ConversationDirectory(store, clock);
  const status = new ConversationStatus({ directory, audit: deps.governance.audit, clock, logger: log });
  const ledger = new FailureLedger(store);
  const sender = new NotificationSender({
    channel: deps.channel,
    clock,
    logger: log,
    ...(deps.random ? { random: deps.random } : {}),
    gate: status,
  });
  const notifier = new FailureNotifier({
    ledger,
    directory,
    sender,
    clock,
    logger: log,
    digestThreshold: settings.digestThreshold,
    audit: deps.governance.audit,
  });
  const monitor = new FailureMonitor({
    graph: monitorGraph(deps.readGraph, clock, settings.monitorGraphShare ?? DEFAULT_MONITOR_GRAPH_SHARE),
    notifier,
    ledger,
    clock,
    logger: log,
    ...(deps.leadership ? { leadership: deps.leadership } : {}),
    ...(settings.monitorPageBudget ? { pageBudget: settings.monitorPageBudget } : {}),
  });
  const webhook = settings.webhookSecret
    ? new NotificationWebhook({ secret: settings.webhookSecret, clock, notifier, directory, logger: log })
    : undefined;
  let housekeeping: Repeating | undefined;
  const sweep = async () => {
    try {
      const swept = await ledger.sweep(new Date(clock.now()));
      if (swept.notices > 0)
        log.info({ notices: swept.notices }, 'forgot the notices of alerts closed long ago');
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'sweeping the failure ledger failed');
    }
  };
  const remediate = new RemediateHandler({
    ledger,
    registry: deps.registry,
    resolver: deps.resolver,
    remediations: deps.remediations,
    governance: deps.governance,
    logger: log,
  });
  return {
    directory,
    status,
    ledger,
    monitor,
    sender,
    webhook,
    installations: new InstallationTracker(directory, status, log),
    remediate,
    cardActions: [remediate],
    commands: subscriptionCommands(
      directory,
      {
        monitorIntervalMs: settings.monitorIntervalMs,
        webhookEnabled: webhook !== undefined,
        digestThreshold: settings.digestThreshold,
      },
      async (turn) => {
        const may = await deps.governance.authorizer.isParticipant(
          deps.registry.actions.map((a) => a.name),
          turn.from.aadObjectId,
        );
        return may.allowed
          ? undefined
          : 'Only people the approval policy lets request or approve remediations can change subscriptions.';
      },
      async () => {
        const states = await ledger.scanStates();
        return Object.fromEntries(
          Object.entries(states).flatMap(([kind, s]) => (s.behind ? [[kind, s.behind]] : [])),
        );
      },
    ),
    // Starts the monitor's interval when MONITOR_INTERVAL is set; without it, webhook alerts still need the
    // ledger swept, hourly.
    start: () => {
      if (settings.monitorIntervalMs) monitor.start(settings.monitorIntervalMs);
      else log.info('failure monitor off (MONITOR_INTERVAL is not set)');
      if (!settings.monitorIntervalMs && webhook)
        housekeeping ??= clock.every(HOUSEKEEPING_EVERY_MS, () => void sweep());
    },
    // Stops the intervals and waits for running cycles and queued sends.
    close: async () => {
      housekeeping?.cancel();
      await monitor.stop();
      await webhook?.drain();
      await sender.drain();
    },
  };
}
