import { ConcurrencyError, type StateStore } from '../../infra/storage/state-store';

/** A remediation's verification checks still to come, kept in the state store so they outlive a restart. */
export interface ScheduledChecks {
  readonly rid: string;
  /** When each check left is due (ISO instants), earliest first. */
  readonly due: readonly string[];
  /** The instance running the first check, and until when its claim holds (a dead instance's lapses). */
  readonly claim?: { readonly by: string; readonly until: string };
}

/** A check this instance won: run it, then `finish` it. */
export interface ClaimedCheck {
  readonly checks: ScheduledChecks;
  /** Whether no other check is left once this one has run (later ones due by now are folded into it). */
  readonly last: boolean;
  readonly eTag: string;
}

const PREFIX = 'verify/';

/**
 * Verification checks as records, claimed with the store's conditional writes like approvals: of several
 * instances that see a check due, exactly one wins the claim and runs it. A check due while every instance
 * was down runs once at the next start, together with any later ones that are also past.
 */
export class VerificationStore {
  constructor(
    private readonly store: StateStore,
    private readonly claimMs: number,
  ) {}

  /** Plans the checks of a remediation; a second plan for the same one keeps the first. */
  async schedule(rid: string, due: readonly number[]): Promise<void> {
    if (due.length === 0) return;
    try {
      await this.store.create<ScheduledChecks>(`${PREFIX}${rid}`, {
        rid,
        due: due.map((ms) => new Date(ms).toISOString()),
      });
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }

  /** Remediation ids with checks planned. */
  async planned(): Promise<string[]> {
    return (await this.store.list(PREFIX)).map((k) => k.slice(PREFIX.length));
  }

  /** Claims the first check of `rid` when it is due and nobody holds it; undefined otherwise. */
  async claim(rid: string, instanceId: string, now: number): Promise<ClaimedCheck | undefined> {
    const key = `${PREFIX}${rid}`;
    const current = await this.store.get<ScheduledChecks>(key);
    if (!current) return undefined;
    const { due, claim } = current.value;
    if (due.length === 0 || Date.parse(due[0] ?? '') > now) return undefined;
    if (claim && Date.parse(claim.until) > now) return undefined;
    const checks = {
      ...current.value,
      claim: { by: instanceId, until: new Date(now + this.claimMs).toISOString() },
    };
    try {
      const eTag = await this.store.update(key, checks, current.eTag);
      return { checks, eTag, last: due.every((d) => Date.parse(d) <= now) };
    } catch (err) {
      if (err instanceof ConcurrencyError) return undefined;
      throw err;
    }
  }

  /** After a claimed check: drops it (and any others already past), or the record when none is left. */
  async finish(claimed: ClaimedCheck, settled: boolean, now: number): Promise<void> {
    const key = `${PREFIX}${claimed.checks.rid}`;
    const rest = claimed.checks.due.filter((d) => Date.parse(d) > now);
    if (settled || rest.length === 0) {
      await this.store.delete(key);
      return;
    }
    try {
      await this.store.update<ScheduledChecks>(key, { rid: claimed.checks.rid, due: rest }, claimed.eTag);
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }
}
