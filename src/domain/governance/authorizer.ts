import type { Origin } from '../conversation';
import type { MembershipChecker } from './group-membership';
import type { ActionRule, Policy, Principals } from './policy';

/** A decision, with the rule that made it so refusals can name it. */
export type Decision =
  { readonly allowed: true } | { readonly allowed: false; readonly rule: string; readonly message: string };

const ALLOWED: Decision = { allowed: true };

/** Applies the approval policy: who may request, who may approve, four-eyes, and where the bot answers. */
export class Authorizer {
  constructor(
    readonly policy: Policy,
    private readonly membership: MembershipChecker,
  ) {}

  /** Whether the bot answers at all in this tenant, team and channel. */
  inScope(origin: Origin): boolean {
    const { tenants, teams, channels } = this.policy.scope;
    const has = (list: readonly string[], value: string | undefined) =>
      list.length === 0 || (value !== undefined && list.some((v) => v.toLowerCase() === value.toLowerCase()));
    return has(tenants, origin.tenantId) && has(teams, origin.teamId) && has(channels, origin.channelId);
  }

  async canRequest(action: string, userId: string | undefined): Promise<Decision> {
    const rule = this.policy.ruleFor(action);
    if (await this.includes(rule.requesters, userId)) return ALLOWED;
    return {
      allowed: false,
      rule: `${rule.source}.requesters`,
      message: `You may not request ${action}: you are not among the requesters in ${rule.source}.requesters of the approval policy.`,
    };
  }

  /**
   * Approvers decide; under four-eyes not on their own request. A rejection (`verb: 'reject'`) needs an
   * approver too, but four-eyes does not apply: turning down one's own request is always allowed.
   */
  async canApprove(
    action: string,
    userId: string | undefined,
    requesterId: string | undefined,
    verb: 'approve' | 'reject' = 'approve',
  ): Promise<Decision> {
    const rule = this.policy.ruleFor(action);
    if (!(await this.includes(rule.approvers, userId))) {
      return {
        allowed: false,
        rule: `${rule.source}.approvers`,
        message: `You may not ${verb} ${action}: you are not among the approvers in ${rule.source}.approvers of the approval policy.`,
      };
    }
    if (
      verb === 'approve' &&
      rule.mode === 'four-eyes' &&
      userId &&
      requesterId &&
      userId.toLowerCase() === requesterId.toLowerCase()
    ) {
      return {
        allowed: false,
        rule: `${rule.source}.mode four-eyes`,
        message: 'four-eyes: you requested this, so someone else must approve it.',
      };
    }
    return ALLOWED;
  }

  /** Anyone who may request or approve some action may read the audit trail. */
  async isParticipant(actions: readonly string[], userId: string | undefined): Promise<Decision> {
    for (const action of actions) {
      const rule = this.policy.ruleFor(action);
      if ((await this.includes(rule.requesters, userId)) || (await this.includes(rule.approvers, userId)))
        return ALLOWED;
    }
    return {
      allowed: false,
      rule: 'requesters/approvers',
      message: 'Only people the approval policy lets request or approve remediations can read their history.',
    };
  }

  ruleFor(action: string): ActionRule {
    return this.policy.ruleFor(action);
  }

  private async includes(p: Principals, userId: string | undefined): Promise<boolean> {
    if (!userId) return false;
    const id = userId.toLowerCase();
    if (p.users.some((u) => u.toLowerCase() === id)) return true;
    return this.membership.memberOfAny(id, p.groups);
  }
}
