import type { ActionArgs, Confirmation, RemediationAction, Resolution } from '../actions/action';
import { blockingDiagnosis } from '../actions/diagnosis';
import { matchCount, PICK_LIST_SIZE } from '../../infra/graph/directory-lookup';
import type { GraphApi } from '../../infra/graph/graph-api';
import { eachMember, findGroups } from './group-members';

/** One target of a bulk remediation, stored on the pending remediation like a single target. */
export interface BulkItem {
  /** The object id: what duplicates are recognised by and what Retry failed names again. */
  readonly id: string;
  readonly label: string;
  /** The action's own target, exactly what its `request()` takes. */
  readonly target: unknown;
  /** The first failure on record, shown beside the target on the confirmation card. */
  readonly problem?: string;
  /** What to fix first where the diagnosis says a retry cannot help this target yet. */
  readonly fixFirst?: string;
}

/** A named target that will not be part of the run, and why: listed on the confirmation, never dropped. */
export interface BulkSkip {
  readonly input: string;
  readonly reason: string;
}

/** The stored target of a bulk remediation: every item one approval runs, and what was left out. */
export interface BulkTarget {
  readonly kind: 'bulk';
  /** How the targets were chosen, e.g. "3 users named in the command" or "members of group Sales". */
  readonly source: string;
  readonly items: readonly BulkItem[];
  readonly skipped: readonly BulkSkip[];
}

/**
 * What expanding a bulk request gives: a confirmation to store, a not-found message, or a refusal (an ambiguous
 * name, too many targets), with the reason.
 */
export type BulkResolution = Exclude<Resolution<BulkTarget>, { kind: 'ambiguous' }>;

/** Tells a stored bulk target from a single one. */
export function isBulkTarget(target: unknown): target is BulkTarget {
  return (
    typeof target === 'object' &&
    target !== null &&
    (target as { kind?: unknown }).kind === 'bulk' &&
    Array.isArray((target as { items?: unknown }).items)
  );
}

/** The positional a bulk request lists its targets in: the variadic one, else the first. */
export function bulkParam(action: Pick<RemediationAction, 'syntax'>): string | undefined {
  const positional = action.syntax.positional;
  return (positional.find((p) => p.variadic) ?? positional[0])?.name;
}

/** The targets a request names in its bulk positional, in order. */
export function listedInputs(action: Pick<RemediationAction, 'syntax'>, args: ActionArgs): string[] {
  const param = bulkParam(action);
  if (!param) return [];
  const single = args.positional[param];
  return [...(args.lists?.[param] ?? (single !== undefined ? [single] : []))];
}

/** True when a typed command asks for several targets or for a group's members. */
export function isBulkRequest(action: RemediationAction, args: ActionArgs): boolean {
  return (
    listedInputs(action, args).length > 1 || (action.group !== undefined && args.flags['group'] !== undefined)
  );
}

/** Limits of one expansion. */
export interface ExpansionOptions {
  /** More targets than this are refused: split the request. */
  readonly maxTargets: number;
  /** Look-ups in flight at once while resolving a named list. */
  readonly lookupConcurrency?: number;
}

const NOUNS: Readonly<Record<string, [string, string]>> = {
  user: ['user', 'users'],
  policy: ['policy', 'policies'],
  'request-id': ['request', 'requests'],
};

/** "1 user", "45 users", "2 policies". */
export function countOf(count: number, placeholder: string): string {
  const [one, many] = NOUNS[placeholder] ?? ['target', 'targets'];
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

function placeholderOf(action: RemediationAction): string {
  const name = bulkParam(action);
  return action.syntax.positional.find((p) => p.name === name)?.placeholder ?? 'target';
}

/** The confirmation a bulk remediation stores: counts and provenance; the card lists the targets. */
export function bulkConfirmation(action: RemediationAction, target: BulkTarget): Confirmation {
  const placeholder = placeholderOf(action);
  const n = target.items.length;
  const skipped = target.skipped.length;
  const blocked = target.items.filter((i) => i.fixFirst).length;
  return {
    title: `${action.name} for ${countOf(n, placeholder)}`,
    why:
      `One approval runs all ${countOf(n, placeholder)} in JSON batches of 20, as fast as Microsoft Graph's ` +
      `throttling allows.${skipped > 0 ? ` ${skipped} named target${skipped === 1 ? ' is' : 's are'} skipped (listed below).` : ''}` +
      (blocked > 0
        ? ` A retry cannot help ${blocked} of them until something is fixed (marked below with what to fix first): fix those first, or leave them out and name the rest.`
        : ''),
    facts: [
      { title: 'Targets', value: String(n) },
      { title: 'Chosen from', value: target.source },
      { title: 'Skipped', value: String(skipped) },
    ],
    problems: [],
    ...(n === 0
      ? { blocked: `None of the named targets can be remediated, so there is nothing to run.` }
      : {}),
  };
}

async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await task(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Resolves every named target with the action's own `resolve` (the same look-up and preconditions as a single
 * remediation). Unknown targets and targets with nothing to fix are skipped with the reason; a name that
 * matches several objects refuses the whole request, because a bulk run must never guess.
 */
async function expandList(
  action: RemediationAction,
  args: ActionArgs,
  graph: GraphApi,
  options: ExpansionOptions,
): Promise<BulkResolution> {
  const param = bulkParam(action) ?? '';
  const inputs = listedInputs(action, args);
  if (inputs.length > options.maxTargets) {
    return {
      kind: 'refused',
      title: 'Too many targets',
      message:
        `This command names ${inputs.length.toLocaleString('en-US')} targets; a bulk remediation takes at most ` +
        `${options.maxTargets.toLocaleString('en-US')} (BULK_MAX_TARGETS). Split the run: send the names in ` +
        `several commands of at most ${options.maxTargets.toLocaleString('en-US')} each, or use --group.`,
    };
  }
  const seenInputs = new Set<string>();
  const unique: string[] = [];
  const skipped: BulkSkip[] = [];
  for (const input of inputs) {
    const key = input.trim().toLowerCase();
    if (seenInputs.has(key)) skipped.push({ input, reason: 'Named twice in the command.' });
    else {
      seenInputs.add(key);
      unique.push(input);
    }
  }
  const resolutions = await mapBounded(unique, options.lookupConcurrency ?? 4, (input) =>
    action.resolve({ positional: { ...args.positional, [param]: input }, flags: args.flags }, graph),
  );
  const ambiguous: string[] = [];
  const items: BulkItem[] = [];
  const byId = new Map<string, string>();
  resolutions.forEach((resolution, index) => {
    const input = unique[index] ?? '';
    switch (resolution.kind) {
      case 'ambiguous':
        ambiguous.push(`"${input}" (${matchCount(resolution.candidates.length).toLowerCase()} matches)`);
        return;
      case 'not-found':
      case 'refused':
        skipped.push({ input, reason: resolution.message });
        return;
      case 'resolved': {
        const { id, label } = action.describe(resolution.target);
        const earlier = byId.get(id.toLowerCase());
        if (earlier !== undefined) {
          skipped.push({ input, reason: `The same object as "${earlier}".` });
        } else if (resolution.confirmation.blocked) {
          skipped.push({ input, reason: resolution.confirmation.blocked });
        } else {
          byId.set(id.toLowerCase(), input);
          items.push(item(id, label, resolution.target, resolution.confirmation));
        }
      }
    }
  });
  if (ambiguous.length > 0) {
    return {
      kind: 'refused',
      title: 'Ambiguous names',
      message: `${ambiguous.join(', ')} match${ambiguous.length === 1 ? 'es' : ''} more than one object. A bulk remediation never guesses: name each target by object id or UPN, or run the command for that one name alone to pick from a list.`,
    };
  }
  const target: BulkTarget = {
    kind: 'bulk',
    source: `${countOf(inputs.length, placeholderOf(action))} named`,
    items,
    skipped,
  };
  return { kind: 'resolved', target, confirmation: bulkConfirmation(action, target) };
}

function item(
  id: string,
  label: string,
  target: unknown,
  confirmation: Confirmation,
  withProblem = true,
): BulkItem {
  const problem = withProblem ? confirmation.problems[0] : undefined;
  const blocking = blockingDiagnosis(confirmation.diagnoses ?? []);
  return {
    id,
    label,
    target,
    ...(problem ? { problem } : {}),
    ...(blocking ? { fixFirst: blocking.fixFirst } : {}),
  };
}

/**
 * The confirmation card lists the first 20 targets with their failure; beyond those a failure line is never
 * shown, so a large group neither describes nor keeps it: only what the run needs of each member (its target,
 * id and label).
 */
export const PROBLEMS_KEPT = 20;

/**
 * `--group`: the group's members that have the failure this action fixes (the action says where Graph lists
 * them), each turned into a target with no further look-up. Members with nothing to fix are not targets. Past
 * `maxTargets` targets it only counts, so the refusal can say how many there are.
 */
async function expandGroup(
  action: RemediationAction,
  groupQuery: string,
  graph: GraphApi,
  options: ExpansionOptions,
): Promise<BulkResolution> {
  const expansion = action.group;
  if (!expansion) {
    return { kind: 'refused', title: 'No --group', message: `${action.name} does not take --group.` };
  }
  const groups = await findGroups(graph, groupQuery);
  const [group] = groups;
  if (!group) {
    return {
      kind: 'not-found',
      message: `No group matches "${groupQuery}". Use the group's object id or exact name.`,
    };
  }
  if (groups.length > 1) {
    return {
      kind: 'refused',
      title: 'Ambiguous group',
      message: `${matchCount(groups.length)} groups are named "${groupQuery}". Name the group by its object id: ${groups
        .slice(0, PICK_LIST_SIZE)
        .map((g) => g.id)
        .join(', ')}${groups.length > PICK_LIST_SIZE ? ', …' : ''}.`,
    };
  }
  const items: BulkItem[] = [];
  let toFix = 0;
  const fromUser = (await expansion.named?.(graph, group)) ?? expansion.fromUser;
  const read = await eachMember(expansion, group.id, graph, (member) => {
    const shown = items.length < PROBLEMS_KEPT;
    const { target, confirmation } = fromUser(member, { problems: shown });
    if (confirmation.blocked || ++toFix > options.maxTargets) return;
    const { id, label } = action.describe(target);
    items.push(item(id, label, target, confirmation, shown));
  });
  const name = group.displayName ?? group.id;
  const n = (count: number) => count.toLocaleString('en-US');
  if (toFix > options.maxTargets) {
    return {
      kind: 'refused',
      title: 'Too many targets',
      message:
        `${name} has ${n(toFix)} members to remediate (of ${n(read)} read); a bulk remediation takes at most ` +
        `${n(options.maxTargets)} (BULK_MAX_TARGETS). Split the run: use --group with smaller groups that ` +
        `together cover these members (for example one per department or country), or name up to ` +
        `${n(options.maxTargets)} users in one command.`,
    };
  }
  const target: BulkTarget = {
    kind: 'bulk',
    source: `group ${name} (${n(read)} member${read === 1 ? '' : 's'} read, ${n(read - toFix)} with nothing to fix)`,
    items,
    skipped: [],
  };
  return { kind: 'resolved', target, confirmation: bulkConfirmation(action, target) };
}

/** Expands a bulk request (several named targets, or `--group`) into the targets one approval will run. */
export function expandBulk(
  action: RemediationAction,
  args: ActionArgs,
  graph: GraphApi,
  options: ExpansionOptions,
): Promise<BulkResolution> {
  const group = args.flags['group'];
  return group !== undefined
    ? expandGroup(action, group, graph, options)
    : expandList(action, args, graph, options);
}
