import { cardActions, cardText } from '../integration/card-helpers';
import { command, type Sent } from '../integration/flows';
import { PEOPLE, type Harness } from '../integration/harness';

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
