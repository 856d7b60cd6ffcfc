import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type restify from 'restify';
import { ApprovalHandler } from './approvals/approval-handler';
import { RemediationStore } from './approvals/remediation-store';
import { TargetResolver } from './approvals/target-resolver';
import { defaultRegistry } from './actions/registry';
import { createAppCredential, graphScope } from './auth/app-credential';
import { exchangeOnBehalfOf } from './auth/on-behalf-of';
import { SsoTokenValidator } from './auth/sso-token-validator';
import { createSandboxTokenSource } from './auth/sandbox-token-source';
import { createAdapter, createTeamsBot } from './bot/teams-bot';
import { ConnectorMessenger } from './bot/connector-messenger';
import { AuditLog } from './audit/audit-log';
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
import { createGraphApi } from './graph/graph-api';
import type { Logger } from './logger';
import { createNotifications, type Notifications } from './notifications/notifications';
import { systemScheduler, type Scheduler } from './notifications/scheduler';
import { createServer } from './server';
import { BlobStateStore } from './storage/blob-state-store';
import { FileStateStore } from './storage/file-state-store';
import type { StateStore } from './storage/state-store';

/** Replaceable collaborators; production passes none. */
export interface AppOverrides {
  readonly clock?: Clock;
  readonly store?: StateStore;
  /** Time for notification pacing, retries and the monitor interval. */
  readonly scheduler?: Scheduler;
}

/** A running bot. */
export interface RunningApp {
  readonly server: restify.Server;
  readonly port: number;
  readonly approvals: ApprovalHandler;
  readonly notifications: Notifications;
  close(): Promise<void>;
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
  const store =
    overrides.store ??
    (config.storage.connectionString
      ? await BlobStateStore.open(config.storage.connectionString, config.storage.container)
      : await FileStateStore.open(path.resolve(config.dataDir)));
  const remediations = new RemediationStore(store);
  const registry = defaultRegistry(clock);
  const policy = config.governance.policyFile
    ? loadPolicyFile(
        path.resolve(config.governance.policyFile),
        registry.actions.map((a) => a.name),
      )
    : defaultPolicy(config.governance.adminUserIds);
  logger.info({ policy: policy.origin }, 'approval policy loaded');
  const scope = graphScope(config.graphBaseUrl);
  const appCredential = createAppCredential(config.aad);
  const readGraph = createGraphApi({
    baseUrl: config.graphBaseUrl,
    token: async () => {
      const token = await appCredential.getToken(scope);
      if (!token) throw new Error('The app-only Graph token could not be obtained');
      return token.token;
    },
  });
  const governance: Governance = {
    authorizer: new Authorizer(policy, new GraphGroupMembership(readGraph, clock)),
    audit: new AuditLog(store, clock),
  };
  const resolver = new TargetResolver(remediations, readGraph, clock, governance);
  const validator = new SsoTokenValidator({
    authorityHost: config.aad.authorityHost,
    audiences: [config.aad.clientId, config.aad.appIdUri],
    allowedTenantIds: config.allowedTenantIds,
    clock,
  });

  const adapter = createAdapter(config);
  const messenger = new ConnectorMessenger(adapter, config.bot.id);
  const approvals = new ApprovalHandler({
    registry,
    store: remediations,
    resolver,
    validator,
    messenger,
    clock,
    deadlineMs: config.invokeDeadlineMs,
    ...(config.sandboxMode ? { sandboxSsoToken: createSandboxTokenSource(config, { logger }) } : {}),
    logger,
    governance,
    delegatedGraph: async (user, ssoToken, correlationId) => {
      const { token } = await exchangeOnBehalfOf(config.aad, user.tenantId, ssoToken, scope);
      return createGraphApi({ baseUrl: config.graphBaseUrl, token: async () => token, correlationId });
    },
  });
  const notifications = createNotifications({
    store,
    clock,
    scheduler: overrides.scheduler ?? systemScheduler,
    logger,
    readGraph,
    channel: messenger,
    registry,
    resolver,
    remediations,
    settings: config.notifications,
  });
  const auditDeps = { registry, store: remediations, governance, clock };
  const commands = new CommandHandler(
    registry,
    resolver,
    remediations,
    logger,
    [historyCommand(auditDeps), statusCommand(auditDeps), ...notifications.commands],
    (turn) => governance.authorizer.inScope(turn.origin),
  );
  const cardActions = new CardActionRouter(
    [approvals, historyPager(auditDeps), notifications.remediate],
    (turn) => governance.authorizer.inScope(turn.origin),
  );
  const bot = createTeamsBot(
    config,
    adapter,
    messenger,
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
  logger.info({ port: address.port, localMode: config.localMode, instance: randomUUID() }, 'bot listening');
  notifications.start();
  return {
    server,
    port: address.port,
    approvals,
    notifications,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await notifications.close();
      await approvals.drain();
    },
  };
}
