import type { DirectoryUser } from '../../infra/graph/directory-lookup';
import type { Diagnosis } from './diagnosis';
import type { GraphApi, GraphResult, GraphVersion } from '../../infra/graph/graph-api';

/** A positional argument or a `--flag value` of a command, with the words help shows for it. */
export interface ParamSpec {
  readonly name: string;
  readonly placeholder: string;
  readonly required: boolean;
  readonly description: string;
  /** Only on the last positional: takes every remaining value (into `ActionArgs.lists`). */
  readonly variadic?: boolean;
}

/** How a command is typed; help and the parser are both generated from this. */
export interface ActionSyntax {
  readonly positional: readonly ParamSpec[];
  readonly flags: readonly ParamSpec[];
  /** Rules across arguments (one of two forms); returns the problem, or undefined when fine. */
  readonly check?: (args: ActionArgs) => string | undefined;
}

/** Parsed arguments: positional by name, flags by name without the dashes. */
export interface ActionArgs {
  readonly positional: Readonly<Record<string, string>>;
  readonly flags: Readonly<Record<string, string>>;
  /** Every value of a variadic positional, in order (its first value is also in `positional`). */
  readonly lists?: Readonly<Record<string, readonly string[]>>;
}

/** What help and the parser need to know about any command, remediation or built-in. */
export interface CommandSpec {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly summary: string;
  readonly description: string;
  readonly examples: readonly string[];
  readonly syntax: ActionSyntax;
}

/** A labelled value on a card. */
export interface Fact {
  readonly title: string;
  readonly value: string;
}

/** What the confirmation card says: what will be acted on, why, and anything that stops it. */
export interface Confirmation {
  readonly title: string;
  readonly why: string;
  readonly facts: readonly Fact[];
  /** The failures on record that the remediation addresses. */
  readonly problems: readonly string[];
  /** A failed precondition: explained on the card, and no Approve button. */
  readonly blocked?: string;
  /** What the knowledge table says of each failure on record; one saying a retry cannot help leads the card. */
  readonly diagnoses?: readonly Diagnosis[];
}

/** One of several objects that matched; `args` re-run the command against exactly that object. */
export interface Candidate {
  readonly label: string;
  readonly detail: string;
  readonly args: ActionArgs;
}

/** The result of looking a target up before anyone approves. */
export type Resolution<T> =
  | { readonly kind: 'resolved'; readonly target: T; readonly confirmation: Confirmation }
  | { readonly kind: 'ambiguous'; readonly prompt: string; readonly candidates: readonly Candidate[] }
  | { readonly kind: 'not-found'; readonly message: string }
  /** The look-up could not answer truthfully (e.g. more to read than one look-up reads): what to do instead. */
  | { readonly kind: 'refused'; readonly title: string; readonly message: string };

/** What Graph's answer means for the admin, beyond its status code. */
export interface Interpretation {
  readonly outcome: 'succeeded' | 'failed';
  /**
   * Shown on the outcome card instead of the state word, in a warning colour, when Graph's answer is neither a
   * plain success nor a plain failure (provisionOnDemand's Skipped, a reprocess whose states still show errors).
   */
  readonly headline?: string;
  readonly summary: string;
  readonly facts: readonly Fact[];
  readonly details: readonly string[];
}

/**
 * A read made right after the write, where the write's answer cannot tell what happened
 * (reprocessLicenseAssignment's user carries no licenseAssignmentStates): its body, or why it failed.
 */
export type ReadBack =
  | { readonly ok: true; readonly body: unknown }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      readonly requestId: string | undefined;
    };

/** What execute() learnt: Graph's answer to the write, and a read-back when the action makes one. */
export interface ExecutionResult extends GraphResult {
  readonly readBack?: ReadBack;
}

/**
 * The one Graph call a remediation makes, as plain data, so it is defined once: `execute()` sends it alone
 * and a bulk run puts it in a JSON batch of its version.
 */
export interface GraphRequest {
  readonly method: 'POST';
  /** Path below the version, segments already encoded, e.g. `/users/{id}/retryServiceProvisioning`. */
  readonly url: string;
  readonly version: GraphVersion;
  readonly body?: unknown;
}

/** How a bulk list names one target: the object id it is deduplicated by, and a readable label. */
export interface TargetSummary {
  readonly id: string;
  readonly label: string;
}

/** A limit Graph puts on one call (provisionOnDemand: 5 per 10 s), which bulk runs pace themselves under. */
export interface RateLimit<T> {
  readonly requests: number;
  readonly windowMs: number;
  /** What the limit counts per, e.g. the synchronization job. */
  key(target: T): string;
}

/**
 * How a remediation applies to a group's members (`--group`): where Graph lists the members that have the
 * failure it fixes, and each member's target, built without another lookup.
 */
export interface GroupExpansion<T> {
  /**
   * `advanced`: the path is an advanced query (an OData cast on members needs ConsistencyLevel: eventual);
   * `top`: the page size to ask for, where the collection's page documents `$top`.
   */
  members(groupId: string): {
    readonly path: string;
    readonly select: string;
    readonly advanced?: boolean;
    readonly top?: number;
  };
  /** The member's target and confirmation; a `blocked` confirmation means there is nothing to fix. */
  fromUser: MemberTarget<T>;
  /**
   * Reads once per run what members' cards name beyond the member (products, groups), and returns the
   * builder that names them; without it, members are built by `fromUser` alone.
   */
  named?(
    graph: GraphApi,
    group: { readonly id: string; readonly displayName?: string },
  ): Promise<MemberTarget<T>>;
}

/**
 * What a member's confirmation must carry. A bulk card shows the failure line of its first targets only, so
 * past those `problems` is false and the builder may leave the lines out: describing a failure can mean parsing
 * its XML error detail, which for the 5,000 failing members of a 100,000-member group was most of what the
 * expansion allocated.
 */
export interface MemberDetail {
  readonly problems: boolean;
}

/** A group member's target and confirmation, built from the member as Graph listed it. */
export type MemberTarget<T> = (
  user: DirectoryUser,
  detail?: MemberDetail,
) => {
  readonly target: T;
  readonly confirmation: Confirmation;
};

/** Sends a remediation's request with a Graph client: the single-target path of every action. */
export function sendRequest(graph: GraphApi, request: GraphRequest): Promise<GraphResult> {
  return graph.post(request.url, request.body, { version: request.version });
}

/**
 * What re-reading a target some minutes after Graph accepted a remediation says: the failure is gone (and
 * which), is still there (the errors as they read now), is still being worked on by the service (a request
 * still delivering: neither fixed nor failed), or can no longer be judged (why, and what to check).
 */
export type VerifyFinding =
  | { readonly kind: 'resolved'; readonly changed: string }
  | { readonly kind: 'failing'; readonly current: readonly string[] }
  | { readonly kind: 'in-progress'; readonly state: string }
  | { readonly kind: 'unverifiable'; readonly why: string };

/**
 * One remediation, described as data (StackStorm-alias style) plus the four steps every action has:
 * resolve the target with the app's read-only Graph client, execute with the approver's delegated client,
 * and interpret Graph's answer. Targets are plain JSON so they can be stored between steps.
 */
export interface RemediationAction<T = unknown> extends CommandSpec {
  readonly graphVersion: GraphVersion;
  /** Delegated Graph permission the app registration must be consented for. */
  readonly permission: string;
  /** Entra roles, any one of which lets the approver's token through. */
  readonly roles: readonly string[];
  resolve(args: ActionArgs, graph: GraphApi): Promise<Resolution<T>>;
  /** The Graph call for a target; execute() sends exactly this. */
  request(target: T): GraphRequest;
  execute(target: T, graph: GraphApi): Promise<ExecutionResult>;
  /** Also reads a bulk run's batch answers, which come without a read-back. */
  interpret(target: T, result: ExecutionResult): Interpretation;
  /** The target's id and label, for bulk confirmation and summary cards. */
  describe(target: T): TargetSummary;
  /** Graph's own limit on this call, if it has one beyond general throttling. */
  readonly rateLimit?: RateLimit<T>;
  /** Present when the remediation accepts `--group <group>`. */
  readonly group?: GroupExpansion<T>;
  /**
   * Re-reads the target with the app's read-only client and says whether the failure is gone, because Graph's
   * 2xx means accepted, not fixed. Absent where the answer itself decides (provisionOnDemand's steps). A read
   * that fails throws GraphFailure; the caller tells a deleted target and a refused read from a passing fault.
   */
  verify?(target: T, graph: GraphApi): Promise<VerifyFinding>;
}

/** The usage line shown in help and after a typing mistake. */
export function usageOf(action: Pick<CommandSpec, 'name' | 'syntax'>): string {
  const parts = [action.name];
  for (const p of action.syntax.positional) {
    const word = `<${p.placeholder}>${p.variadic ? '…' : ''}`;
    parts.push(p.required ? word : `[${word}]`);
  }
  for (const f of action.syntax.flags) {
    const word = `--${f.name} <${f.placeholder}>`;
    parts.push(f.required ? word : `[${word}]`);
  }
  return parts.join(' ');
}
