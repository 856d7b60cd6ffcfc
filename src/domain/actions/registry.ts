import type { Clock } from '../../infra/clock';
import type { GraphApi } from '../../infra/graph/graph-api';
import type { RemediationDefinition } from './definition';
import type { DetectedFailure, RemediationCommand } from '../failures/failure';
import type { Detector } from '../failures/detector';
import type { RemediationAction } from './action';
import { diagnose, type Diagnosis, type FailureSignal, type KnowledgeEntry } from './diagnosis';
import { provisionOnDemandRemediation } from './provision-on-demand';
import { reprocessAccessRequestRemediation } from './reprocess-access-request';
import { reprocessLicenseRemediation } from './reprocess-license';
import { retryCloudPcPolicyRemediation } from './retry-cloudpc-policy';
import { retryProvisioningRemediation } from './retry-provisioning';

/**
 * The remediations this product ships, one folder each. Everything that names a remediation or a failure
 * family (the parser, help, the manifest's commands, subscriptions, the monitor, the webhook) reads this list,
 * so a sixth remediation is its folder and one line here.
 */
export const REMEDIATIONS = [
  retryProvisioningRemediation,
  reprocessLicenseRemediation,
  retryCloudPcPolicyRemediation,
  reprocessAccessRequestRemediation,
  provisionOnDemandRemediation,
] as const;

type Definition = (typeof REMEDIATIONS)[number];

/** The name of a shipped remediation, as typed after the @mention. */
export type RemediationName = Definition['name'];

/** A failure family the bot watches; channels subscribe to them by these names. */
export type FailureKind = Definition['kind'];

/** A failure of a family the bot knows. */
export type KnownFailure = DetectedFailure<FailureKind>;

/** Every family, in the registry's order (the webhook's schema needs at least one). */
export const FAILURE_KINDS: readonly [FailureKind, ...FailureKind[]] = [
  REMEDIATIONS[0].kind,
  ...REMEDIATIONS.slice(1).map((r) => r.kind),
];

/** The detectors the monitor runs each cycle, one per family. */
export const DEFAULT_DETECTORS: readonly Detector<FailureKind>[] = REMEDIATIONS.map((r) => r.detector);

/** Every known failure pattern, each remediation's entries in the registry's order. */
export const KNOWLEDGE: readonly KnowledgeEntry[] = REMEDIATIONS.flatMap((r) => r.knowledge);

/** What the knowledge table says of a failure: its entry's advice, or that the bot does not know it. */
export function diagnoseSignal(signal: FailureSignal): Diagnosis {
  return diagnose(KNOWLEDGE, signal);
}

/** The diagnosis a remediation makes of its resolved targets, where it makes one. */
export function diagnoserOf(
  name: string,
): ((target: unknown, graph: GraphApi) => Promise<readonly Diagnosis[]>) | undefined {
  const definition: RemediationDefinition | undefined = REMEDIATIONS.find((r) => r.name === name);
  return definition?.diagnose?.bind(definition);
}

/** True for a known family name; the webhook and the commands accept nothing else. */
export function isFailureKind(value: string): value is FailureKind {
  return REMEDIATIONS.some((r) => r.kind === value);
}

function definitionOf(kind: string): Definition | undefined {
  return REMEDIATIONS.find((r) => r.kind === kind);
}

/** How cards name a family ("Group-based licensing"); an unknown one by its own name. */
export function kindLabel(kind: string): string {
  return definitionOf(kind)?.label ?? kind;
}

/** A failure card's headline for a failure of this family. */
export function failureTitle(kind: string, objectLabel: string): string {
  return definitionOf(kind)?.failureTitle(objectLabel) ?? `${kindLabel(kind)} failed: ${objectLabel}`;
}

/** The family a word names: its name or one of the other words people type for it. */
export function kindNamed(word: string): FailureKind | undefined {
  return REMEDIATIONS.find((r) => r.kind === word || (r.kindAliases as readonly string[]).includes(word))
    ?.kind;
}

/** The remediation a failure of this family calls for, for ids an external monitor reported. */
export function remediationFor(
  kind: FailureKind,
  ids: { target: string; app?: string | undefined; job?: string | undefined },
): RemediationCommand<RemediationName> {
  const definition = definitionOf(kind) ?? REMEDIATIONS[0];
  return {
    action: definition.name,
    target: ids.target,
    ...(definition.takesJob && ids.app ? { app: ids.app } : {}),
    ...(definition.takesJob && ids.job ? { job: ids.job } : {}),
  };
}

/** Finds the remediations' commands by the words people type. */
export class ActionRegistry {
  private readonly byWord = new Map<string, RemediationAction>();

  constructor(readonly actions: readonly RemediationAction[]) {
    for (const action of actions) {
      for (const word of [action.name, ...action.aliases]) {
        const key = word.toLowerCase();
        if (this.byWord.has(key)) throw new Error(`Command word "${word}" is used twice`);
        this.byWord.set(key, action);
      }
    }
  }

  /** Finds an action by name or alias, ignoring case. */
  find(word: string): RemediationAction | undefined {
    return this.byWord.get(word.toLowerCase());
  }

  /** Every name and alias, for "did you mean". */
  words(): string[] {
    return [...this.byWord.keys()];
  }
}

/** The shipped remediations' commands. */
export function defaultRegistry(clock: Clock): ActionRegistry {
  return new ActionRegistry(REMEDIATIONS.map((r) => r.action(clock)));
}
