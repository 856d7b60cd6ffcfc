import type { GraphApi, Listed } from '../../infra/graph/graph-api';
import { GraphFailure } from '../../infra/graph/graph-failure';
import type { Fact } from '../actions/action';
import {
  recognise,
  UNKNOWN_FAILURE,
  type Diagnosis,
  type FailureSignal,
  type KnowledgeEntry,
} from '../actions/diagnosis';
import {
  diagnoseSignals,
  diagnosisKey,
  tenantProducts,
  type SubscribedSku,
} from '../actions/diagnosis-facts';
import type { RemediationCommand } from '../failures/failure';

/**
 * One failure signal of a target as `diagnose` shows it: what failed, what the knowledge table says of it
 * (facts read for this target included), and the remediation that addresses it, or why none applies.
 */
export interface Finding {
  /** The failure family (`user-provisioning`, `license`…), as the registry names it. */
  readonly kind: string;
  /** What failed, in one line: the service and its error, the product and its licence error. */
  readonly what: string;
  /** A stable code for the failure (an ErrorCode, a licence error, a request state). */
  readonly code: string;
  /** When, as far as Graph says, and what that time is (`Since`, `Last updated`, `Completed`…). */
  readonly when?: { readonly word: string; readonly at: string };
  readonly diagnosis: Diagnosis;
  /** The command a Remediate button prepares; absent when no remediation of the bot applies. */
  readonly remediation?: RemediationCommand;
  /** Why there is no button, when there is none. */
  readonly noRemediation?: string;
}

/** A source not read whole while gathering a target's findings: its failures may be missing. */
export type UnreadSource = RefusedSource | PartlyReadSource;

/** A read that failed: which, and what Graph answered. */
export interface RefusedSource {
  readonly what: string;
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
}

/** A source read up to the most one diagnosis reads while Graph had more: which, and how many were read. */
export interface PartlyReadSource {
  readonly what: string;
  readonly readUpTo: number;
}

/** Every failure signal found for one target, with what was read about the target itself. */
export interface TargetFindings {
  readonly targetKind: TargetKind;
  /** The target's object id. */
  readonly id: string;
  /** The target as people call it, e.g. "Alice Smith (alice@contoso.com)". */
  readonly label: string;
  readonly facts: readonly Fact[];
  readonly findings: readonly Finding[];
  /** The sources that could not be read: their failures may be missing from `findings`. */
  readonly unread: readonly UnreadSource[];
}

/** What `diagnose` can look at, as the other commands name them. */
export type TargetKind = 'user' | 'policy' | 'request' | 'app';

/** A source that `listed` read only up to its ceiling, as the card reports it; nothing when it was read whole. */
export function partlyRead(what: string, listed: Listed<unknown>): PartlyReadSource[] {
  return listed.complete ? [] : [{ what, readUpTo: listed.ceiling }];
}

/** What one source gave a diagnosis: its findings, and a note when it was refused or read only in part. */
export interface SourceFindings {
  readonly findings: readonly Finding[];
  readonly unread: readonly UnreadSource[];
}

/** Reads one source of a diagnosis; a read Graph refuses becomes its note instead of stopping the diagnosis. */
export async function fromSource(what: string, read: () => Promise<SourceFindings>): Promise<SourceFindings> {
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof GraphFailure)) throw err;
    return { findings: [], unread: [{ what, status: err.status, code: err.code, requestId: err.requestId }] };
  }
}

/**
 * The table's diagnosis of each signal, in the signals' order, so every finding carries its own. Signals the
 * table treats alike (same entry, same service) share one diagnosis, whose facts are read once; the tenant's
 * products are read once for all of them (and for the caller, which may pass its own).
 */
export async function diagnoseEach(
  graph: GraphApi,
  entries: readonly KnowledgeEntry[],
  signals: readonly FailureSignal[],
  selfId: string,
  products: () => Promise<SubscribedSku[]> = tenantProducts(graph),
): Promise<Diagnosis[]> {
  const keys = signals.map((signal) => diagnosisKey(recognise(entries, signal), signal));
  const firsts = [...new Set(keys)];
  const diagnoses = await diagnoseSignals(graph, entries, signals, selfId, products);
  return keys.map((key) => diagnoses[firsts.indexOf(key)] ?? UNKNOWN_FAILURE);
}
