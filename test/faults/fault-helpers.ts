import type { Scheduler } from '../../src/notifications/scheduler';
import { systemScheduler } from '../../src/notifications/scheduler';
import { cardActions, cardText } from '../integration/card-helpers';
import { command, type Sent } from '../integration/flows';
import { PEOPLE, type Harness } from '../integration/harness';

/**
 * A scheduler whose sleeps end at once but are recorded, so backoff and Retry-After are asserted on the
 * requested durations instead of waited for. Intervals stay real (the monitor is off in these tests).
 */
export interface RecordingScheduler extends Scheduler {
  readonly sleeps: number[];
}

/** Builds a {@link RecordingScheduler}. */
export function recordingScheduler(): RecordingScheduler {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now(),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    every: systemScheduler.every,
  };
}

/** The remediation id a pending card carries on its Approve button. */
export function remediationId(sent: Sent | { card: Sent['card'] }): string {
  const rid = cardActions(sent.card).find((a) => a.verb === 'approve')?.data.rid;
  if (typeof rid !== 'string') throw new Error('card has no remediation id');
  return rid;
}

/** The audit timeline of one remediation, as `status <id>` shows it to an approver. */
export async function auditTimeline(h: Harness, rid: string): Promise<string> {
  const status = await command(h, `status ${rid}`, PEOPLE.ada);
  return cardText(status.card);
}
