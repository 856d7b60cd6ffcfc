/** Who a rule lets in: Entra user object ids and group ids (membership is transitive). */
export interface Principals {
  readonly users: readonly string[];
  readonly groups: readonly string[];
}

/** `four-eyes`: the approver must be someone other than the requester. `self`: the requester may approve. */
export type ApprovalMode = 'four-eyes' | 'self';

/** The effective rule for one action, after the action's settings are laid over the default. */
export interface ActionRule {
  /** Where the rule came from, for refusal messages: `actions.retry-provisioning` or `default`. */
  readonly source: string;
  readonly requesters: Principals;
  readonly approvers: Principals;
  readonly mode: ApprovalMode;
  readonly expiryMs: number;
}

/** Where the bot answers at all; an empty list means "anywhere". */
export interface Scope {
  readonly tenants: readonly string[];
  readonly teams: readonly string[];
  readonly channels: readonly string[];
}

/** The approval policy the security officer signs off: validated once at start, then passed around. */
export interface Policy {
  /** Where the policy came from, shown in refusals and logs. */
  readonly origin: string;
  readonly scope: Scope;
  ruleFor(action: string): ActionRule;
}

/** A day: the expiry of a pending request unless the policy says otherwise. */
export const DEFAULT_EXPIRY_MS = 24 * 3_600_000;

/** The partial rule a policy file may give per action or as the default. */
export interface RuleSettings {
  readonly requesters?: Principals;
  readonly approvers?: Principals;
  readonly mode?: ApprovalMode;
  readonly expiryMs?: number;
}

/** Builds a Policy from a default rule, per-action overrides and a scope. */
export function buildPolicy(
  origin: string,
  defaults: RuleSettings,
  actions: Readonly<Record<string, RuleSettings>>,
  scope: Scope,
): Policy {
  const nobody: Principals = { users: [], groups: [] };
  const base = {
    requesters: defaults.requesters ?? nobody,
    approvers: defaults.approvers ?? nobody,
    mode: defaults.mode ?? 'four-eyes',
    expiryMs: defaults.expiryMs ?? DEFAULT_EXPIRY_MS,
  };
  return {
    origin,
    scope,
    ruleFor(action: string): ActionRule {
      const own = actions[action];
      return own
        ? {
            source: `actions.${action}`,
            requesters: own.requesters ?? base.requesters,
            approvers: own.approvers ?? base.approvers,
            mode: own.mode ?? base.mode,
            expiryMs: own.expiryMs ?? base.expiryMs,
          }
        : { source: 'default', ...base };
    },
  };
}

/**
 * The policy when no POLICY_FILE is set: four-eyes, and only the admins named in ADMIN_USER_IDS may
 * request or approve anything. With no admins listed, nobody can: safe rather than open.
 */
export function defaultPolicy(adminUserIds: readonly string[]): Policy {
  const admins: Principals = { users: adminUserIds, groups: [] };
  return buildPolicy(
    'the built-in default (no POLICY_FILE): four-eyes, ADMIN_USER_IDS only',
    { requesters: admins, approvers: admins, mode: 'four-eyes', expiryMs: DEFAULT_EXPIRY_MS },
    {},
    { tenants: [], teams: [], channels: [] },
  );
}
