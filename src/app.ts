import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type restify from 'restify';
import { ApprovalHandler } from './approvals/approval-handler';
import { ApproverSignIn } from './approvals/approver-sign-in';
import { reconcileInterruptedRuns } from './approvals/reconcile';
import type { RunnerIdentity } from './approvals/remediation';
import { RemediationStore } from './approvals/remediation-store';
import { TargetResolver } from './approvals/target-resolver';
import { defaultRegistry } from './domain/actions/registry';
import { cachedAppToken, createAppCredential, graphScope } from './auth/app-credential';
import { adminConsentUrl, exchangeOnBehalfOf } from './auth/on-behalf-of';
import { SsoTokenValidator } from './auth/sso-token-validator';
import { createSandboxTokenSource } from './auth/sandbox-token-source';
import { createAdapter, createTeamsBot } from './bot/teams-bot';
import { ConnectorMessenger } from './bot/connector-messenger';
import { conversationMiddleware } from './bot/conversation-middleware';
import { RetryingMessenger } from './chat/retrying-messenger';
import { TeamsSendLimiter } from './chat/send-limiter';
import { AuditLog } from './audit/audit-log';
import { BulkPlanner } from './bulk/bulk-planner';
import { BulkService } from './bulk/bulk-service';
import { RemediateAllHandler } from './bulk/remediate-all-handler';
import { Authorizer } from './governance/authorizer';
import type { Governance } from './governance/governance';
import { GraphGroupMembership } from './governance/group-membership';
import { defaultPolicy } from './governance/policy';
import { loadPolicyFile } from './governance/policy-file';
import { CardActionRouter } from './chat/card-action-router';
import { systemClock, type Clock } from './clock';
import { historyCommand, historyPager, statusCommand } from './commands/audit-commands';
import { CommandHandler } from './commands/command-handler';
import type { Config } from './config';
import { createGraphApi, type DelegatedGraphFactory } from './graph/graph-api';
import { errorMessage, type Logger } from './logger';
import { createNotifications, type Notifications } from './notifications/notifications';
import { createServer } from './server';
import { BlobStateStore } from './storage/blob-state-store';
import { FileStateStore } from './storage/file-state-store';
import { BlobLeadership, soleInstance } from './storage/leadership';
import type { StateStore } from './storage/state-store';

/** Replaceable collaborators; production passes none. */
export interface AppOverrides {
  /** Time for records, expiry, pacing, retries and the monitor interval. */
  readonly clock?: Clock;
  readonly store?: StateStore;
}

/** A running bot. */
export interface RunningApp {
  readonly server: restify.Server;
  readonly port: number;
  readonly approvals: ApprovalHandler;
  readonly notifications: Notifications;
  /** Bulk remediation runs (progress, resumption). */
  readonly bulk: BulkService;
  /**
   * Stops taking turns, lets in-flight remediations finish for up to `drainMs`, releases the monitor lease.
   * Runs still unfinished keep their `running` marker, so the next start reconciles them.
   */
  close(drainMs?: number): Promise<void>;
}

/** A run older than this is presumed interrupted even when its process cannot be checked (another host). */
const STALE_RUN_MS = 15 * 60_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The composition root: builds every dependency from the validated config, then listens. */
export async function startApp(
  config: Config,
  logger: Logger,
  overrides: AppOverrides = {},
): Promise<RunningApp> {
  const clock = overrides.clock ?? systemClock;
  if (config.localMode) {
    logger.warn(
      'LOCAL MODE: BOT_ID is empty, so inbound Bot Framework authentication is OFF and anyone who can reach this port can talk to the bot. Use only on a developer machine.',
    );
  }
  const ownStore = overrides.store === undefined;
  const store =
    overrides.store ??
    (config.storage.connectionString
      ? await BlobStateStore.open(config.storage.connectionString, config.storage.container)
      : await FileStateStore.open(path.resolve(config.dataDir)));
  const remediations = new RemediationStore(store);
  const instance: RunnerIdentity = { instanceId: randomUUID(), pid: process.pid, host: os.hostname() };
  const registry = defaultRegistry(clock);
  const policy = config.governance.policyFile
    ? loadPolicyFile(
        path.resolve(config.governance.policyFile),
        registry.actions.map((a) => a.name),
      )
    : defaultPolicy(config.governance.adminUserIds);
  logger.info({ policy: policy.origin }, 'approval policy loaded');
  const scope = graphScope(config.graphBaseUrl);
  const graphRetry = {
    timeoutMs: config.graphTimeoutMs,
    sleep: (ms: number) => clock.sleep(ms),
    now: () => clock.now(),
  };
  const appCredential = createAppCredential(config.aad);
  const readGraph = createGraphApi({
    baseUrl: config.graphBaseUrl,
    retry: graphRetry,
    // The credential stamps expiry with the system clock, so the cache compares against the same clock.
    token: cachedAppToken(appCredential, scope, Date.now),
  });
  // The approver's Graph, for single approvals and bulk runs alike.
  const delegatedGraph: DelegatedGraphFactory = (token, correlationId) =>
    createGraphApi({ baseUrl: config.graphBaseUrl, token, correlationId, retry: graphRetry });
  const exchange = (tenantId: string, assertion: string) =>
    exchangeOnBehalfOf(config.aad, tenantId, assertion, scope);
  const governance: Governance = {
    authorizer: new Authorizer(policy, new GraphGroupMembership(readGraph, clock)),
    audit: new AuditLog(store, clock),
  };
  const resolver = new TargetResolver(
    remediations,
    (correlationId) => readGraph.withCorrelationId(correlationId),
    clock,
    governance,
    new BulkPlanner({ maxTargets: config.bulk.maxTargets }),
  );
  const validator = new SsoTokenValidator({
    authorityHost: config.aad.authorityHost,
    audiences: [config.aad.clientId, config.aad.appIdUri],
    allowedTenantIds: config.allowedTenantIds,
    clock,
  });

  const adapter = createAdapter(config);
  // One limiter for every send and update, in a turn or not, so Teams' rate limits hold for all of them.
  const sendLimiter = new TeamsSendLimiter(clock);
  const messenger = new ConnectorMessenger(adapter, config.bot.id, sendLimiter);
  // Remediation cards get the notification sender's retry policy and its conversation gate.
  const publisher = new RetryingMessenger(messenger, {
    policy: { sleep: (ms) => clock.sleep(ms) },
    logger,
    gate: {
      beforeSend: (address) => notifications.status.beforeSend(address),
      delivered: (address) => notifications.status.delivered(address),
      refused: (address, verdict, error) => notifications.status.refused(address, verdict, error),
    },
  });
  const sandboxSsoToken = config.sandboxMode ? createSandboxTokenSource(config, { logger }) : undefined;
  const signIn = new ApproverSignIn({
    validator,
    exchange,
    adminConsentUrl: (tenantId) => adminConsentUrl(config.aad, tenantId),
    logger,
    ...(sandboxSsoToken ? { sandboxSsoToken } : {}),
  });
  // The app's own credential seals an approver's sign-in for a bulk run, so a restart resumes it by itself.
  const sealSecret =
    config.aad.clientSecret ??
    (config.aad.certificatePath ? readFileSync(path.resolve(config.aad.certificatePath), 'utf8') : undefined);
  const bulk = new BulkService({
    registry,
    remediations,
    store,
    resolver,
    governance,
    messenger: publisher,
    signIn,
    clock,
    logger: logger.child({ feature: 'bulk' }),
    instance,
    concurrency: config.bulk.concurrency,
    exchange,
    delegatedGraph,
    ...(sealSecret ? { sealKey: Buffer.from(sealSecret, 'utf8') } : {}),
    staleAfterMs: STALE_RUN_MS,
  });
  const approvals = new ApprovalHandler({
    bulk,
    registry,
    store: remediations,
    resolver,
    signIn,
    messenger: publisher,
    clock,
    deadlineMs: config.invokeDeadlineMs,
    logger,
    governance,
    instance,
    delegatedGraph,
  });
  const leadership = config.storage.connectionString
    ? await BlobLeadership.open(config.storage.connectionString, config.storage.container, 'failure-monitor')
    : soleInstance;
  const notifications = createNotifications({
    leadership,
    governance,
    store,
    clock,
    logger,
    readGraph,
    channel: messenger,
    registry,
    resolver,
    remediations,
    settings: config.notifications,
  });
  adapter.use(conversationMiddleware(sendLimiter, notifications.status, logger));
  const auditDeps = { registry, store: remediations, governance, clock };
  const commands = new CommandHandler(
    registry,
    resolver,
    remediations,
    logger,
    [historyCommand(auditDeps), statusCommand(auditDeps), ...notifications.commands],
    (turn) => governance.authorizer.inScope(turn.origin),
  );
  const remediateAll = new RemediateAllHandler({
    ledger: notifications.ledger,
    registry,
    resolver,
    remediations,
    governance,
    messenger: publisher,
    bulk,
    logger,
  });
  const cardActions = new CardActionRouter(
    [approvals, historyPager(auditDeps), notifications.remediate, bulk, remediateAll],
    (turn) => governance.authorizer.inScope(turn.origin),
  );
  const bot = createTeamsBot(
    config,
    adapter,
    () => ({ commands, cardActions, installations: notifications.installations }),
    logger,
  );
  const server = createServer(
    bot,
    logger,
    notifications.webhook ? { notifications: notifications.webhook } : {},
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  logger.info(
    { port: address.port, localMode: config.localMode, instance: instance.instanceId },
    'bot listening',
  );
  notifications.start();
  const reconciling = reconcileInterruptedRuns({
    store: remediations,
    registry,
    governance,
    messenger: publisher,
    clock,
    logger,
    instance,
    staleAfterMs: STALE_RUN_MS,
  }).catch((err: unknown) => logger.error({ err: errorMessage(err) }, 'reconciling interrupted runs failed'));
  const resuming = bulk
    .resumeInterrupted()
    .catch((err: unknown) => logger.error({ err: errorMessage(err) }, 'resuming bulk runs failed'));
  return {
    server,
    port: address.port,
    approvals,
    notifications,
    bulk,
    close: async (drainMs = 9_000) => {
      // Bulk runs stop sending at once; batches in flight finish and are recorded before the drain ends.
      const bulkClosed = bulk.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const drained = Promise.all([
        notifications.close(),
        approvals.drain(),
        reconciling,
        bulkClosed,
        resuming.then(() => bulk.drain()),
      ]).then(() => true);
      const finished = await Promise.race([drained, delay(drainMs).then(() => false)]);
      if (!finished) {
        logger.warn(
          { drainMs },
          'shutdown deadline reached; unfinished runs stay marked and are reconciled at the next start',
        );
      }
      await leadership.release();
      if (ownStore) await store.close();
    },
  };
}
