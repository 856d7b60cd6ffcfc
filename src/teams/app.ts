import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type restify from 'restify';
import type { RunnerIdentity } from '../domain/remediation/remediation';
import { RemediationStore } from '../domain/remediation/remediation-store';
import { TargetResolver } from '../features/remediate/target-resolver';
import { defaultRegistry } from '../domain/actions/registry';
import { wireGraph } from './app-graph';
import { openState } from './app-state';
import { wireTeams } from './app-teams';
import { RetryingMessenger } from '../features/shared/retrying-messenger';
import { AuditLog } from '../domain/audit/audit-log';
import { BulkPlanner } from '../features/bulk/bulk-planner';
import { Authorizer } from '../domain/governance/authorizer';
import type { Governance } from '../domain/governance/governance';
import { GraphGroupMembership } from '../domain/governance/group-membership';
import { defaultPolicy } from '../domain/governance/policy';
import { loadPolicyFile } from '../domain/governance/policy-file';
import { CardActionRouter } from '../features/shared/card-action-router';
import { systemClock, type Clock } from '../infra/clock';
import { CommandHandler } from '../features/remediate/command-handler';
import { SuggestionHandler } from '../features/remediate/suggestion-handler';
import { createRemediate } from '../features/remediate';
import { Verifier } from '../features/remediate/verification';
import { VerificationStore } from '../domain/remediation/verification-store';
import type { ApprovalHandler } from '../features/remediate/approval-handler';
import { createBulk } from '../features/bulk';
import { BulkStore } from '../features/bulk/bulk-store';
import { BulkVerification } from '../features/bulk/bulk-verification';
import type { BulkService } from '../features/bulk/bulk-service';
import { createAudit } from '../features/audit';
import { createDiagnose } from '../features/diagnose';
import type { Actor, Origin } from '../domain/conversation';
import { ActingAs } from './acting-as';
import type { Config } from '../infra/config';
import type { Logger } from '../infra/logger';
import { createNotifications, type Notifications } from '../features/notify/notifications';
import type { StateStore } from '../infra/storage/state-store';

/** Replaceable collaborators; production passes none. */
export interface AppOverrides {
  /** Time for records, expiry, pacing, retries and the monitor interval. */
  readonly clock?: Clock;
  readonly store?: StateStore;
  /** Local sandbox only: the simulated people `act-as <name>` switches to (see acting-as.ts). */
  readonly actAs?: ReadonlyMap<string, Actor>;
}

/** A running bot. */
export interface RunningApp {
  readonly server: restify.Server;
  readonly port: number;
  readonly approvals: ApprovalHandler;
  /** Verification of accepted remediations (tests run its due checks). */
  readonly verifier: Verifier;
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
/** How long one instance holds a verification check before another may take it over. */
const VERIFY_CLAIM_MS = 5 * 60_000;

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
  const state = await openState(config, overrides.store);
  const { store } = state;
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
  const graph = wireGraph(config, clock, logger);
  const { readGraph, signIn } = graph;
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

  const teams = wireTeams(config, clock, logger);
  const notifications = createNotifications({
    leadership: state.leadership,
    governance,
    store,
    clock,
    logger,
    readGraph,
    channel: teams.messenger,
    registry,
    resolver,
    remediations,
    settings: config.notifications,
  });
  // Remediation cards get the notification sender's retry policy and its conversation gate.
  const publisher = new RetryingMessenger(teams.messenger, {
    policy: { sleep: (ms) => clock.sleep(ms) },
    logger,
    gate: notifications.status,
  });
  const verifier = new Verifier({
    checks: new VerificationStore(store, VERIFY_CLAIM_MS),
    store: remediations,
    registry,
    governance,
    messenger: publisher,
    clock,
    logger: logger.child({ feature: 'verify' }),
    readGraph,
    instanceId: instance.instanceId,
    afterMs: config.verifyAfterMs,
    manyTargets: new BulkVerification({
      bulk: new BulkStore(store),
      readGraph,
      messenger: publisher,
      logger: logger.child({ feature: 'verify' }),
    }),
  });
  const bulk = createBulk({
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
    exchange: graph.exchange,
    delegatedGraph: graph.delegatedGraph,
    ...(graph.sealKey ? { sealKey: graph.sealKey } : {}),
    staleAfterMs: STALE_RUN_MS,
    ledger: notifications.ledger,
    verifier,
  });
  const remediate = createRemediate({
    verifier,
    bulk: bulk.service,
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
    delegatedGraph: graph.delegatedGraph,
    staleAfterMs: STALE_RUN_MS,
  });
  const audit = createAudit({ registry, store: remediations, governance, clock });
  const diagnose = createDiagnose({
    registry,
    governance,
    clock,
    readGraph: (correlationId) => readGraph.withCorrelationId(correlationId),
    notices: notifications.ledger,
  });
  const features = [remediate, bulk, notifications, audit, diagnose];
  const inScope = (turn: { readonly origin: Origin }) => governance.authorizer.inScope(turn.origin);
  const commands = new CommandHandler(
    registry,
    resolver,
    remediations,
    logger,
    features.flatMap((f) => f.commands),
    inScope,
  );
  const cardActions = new CardActionRouter(
    [...features.flatMap((f) => f.cardActions), new SuggestionHandler(commands)],
    inScope,
  );
  const acting = overrides.actAs ? new ActingAs(overrides.actAs) : undefined;
  const server = await teams.serve(
    {
      handlers: {
        commands: acting ? acting.commands(commands) : commands,
        cardActions: acting ? acting.cardActions(cardActions) : cardActions,
        installations: notifications.installations,
      },
      conversations: notifications.status,
      webhook: notifications.webhook,
    },
    logger,
  );
  const address = server.address();
  logger.info(
    { port: address.port, localMode: config.localMode, instance: instance.instanceId },
    'bot listening',
  );
  for (const feature of features) feature.start();
  return {
    server,
    port: address.port,
    approvals: remediate.approvals,
    verifier,
    notifications,
    bulk: bulk.service,
    close: async (drainMs = 9_000) => {
      // Features stop starting work at once (bulk runs stop sending); what is under way finishes first.
      const drained = Promise.all(features.map((f) => f.close())).then(() => true);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const finished = await Promise.race([drained, delay(drainMs).then(() => false)]);
      if (!finished) {
        logger.warn(
          { drainMs },
          'shutdown deadline reached; unfinished runs stay marked and are reconciled at the next start',
        );
      }
      await state.close();
    },
  };
}
