import { CONTOSO } from '../fakes';
import { auditTimeline, remediationId } from '../faults/fault-helpers';
import { attachedCard, cardText } from './card-helpers';
import { approve, command, noticesSaying, outcomeReply } from './flows';
import { PEOPLE, startHarness, type Harness } from './harness';

jest.setTimeout(30_000);

/**
 * Graph's 2xx means accepted, not fixed: the bot re-reads the target at VERIFY_AFTER's times with its own
 * read-only identity and turns the card into Resolved, Still failing or Could not verify. Time moves on the
 * harness's manual clock; each round of due checks is awaited, never slept for.
 */
let h: Harness;
afterEach(async () => {
  await h?.close();
});

const ALICE = 'retry-provisioning alice@contoso.com';
const MINUTE = 60_000;
const ALICE_READ = new RegExp(`^/users/(${CONTOSO.users.alice}|alice@contoso\\.com)$`);

/** An Exchange error a retry can help with (the seed's proxy address conflict is one it cannot). */
const MAILBOX_ERROR =
  '<ServiceInstance Name="exchange/namprd11-001-01" xmlns="http://schemas.microsoft.com/online/directoryservices/change/2008/11"><ObjectErrors><ErrorRecord><ErrorCode>ExMailboxCreationFailed</ErrorCode><ErrorParameters /><ErrorDescription>The mailbox could not be created.</ErrorDescription></ErrorRecord></ObjectErrors></ServiceInstance>';

/** Approves Alice's retry and waits for the accepted card and its reply. */
async function acceptedRetry(word = 'Accepted by Microsoft Graph, verifying') {
  for (const e of h.graph.findUser(CONTOSO.users.alice)?.serviceProvisioningErrors ?? []) {
    e.errorDetail = MAILBOX_ERROR;
  }
  const sent = await command(h, ALICE);
  const rid = remediationId(sent);
  const clicked = await approve(h, sent);
  const reply = await outcomeReply(h, word);
  await h.app.approvals.drain();
  acceptedAt = h.clock.now();
  return { rid, clicked: cardText(clicked.value), reply: cardText(reply) };
}

/** Moves time on and runs the checks due by then. */
async function after(ms: number): Promise<void> {
  h.clock.advance(ms);
  await h.app.verifier.runDue();
}

/** When the retry was accepted: reads after it are the verifier's. */
let acceptedAt = 0;

/** The app-only reads of Alice after the retry was accepted: the verifier's. */
function verificationReads() {
  return h.graph.requests.filter((r) => r.method === 'GET' && ALICE_READ.test(r.path) && r.at > acceptedAt);
}

function keepAliceFailing(): void {
  for (const e of h.graph.findUser(CONTOSO.users.alice)?.serviceProvisioningErrors ?? [])
    e.isResolved = false;
}

/** The thread's one-line replies that tell an outcome headline. */
const repliesSaying = (word: string) => noticesSaying(h, word);

describe('a retry Graph accepted', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('says Accepted by Microsoft Graph, verifying, with the request-id, never Succeeded', async () => {
    const run = await acceptedRetry();
    for (const text of [run.clicked, run.reply]) {
      expect(text).toMatch(/^Accepted by Microsoft Graph, verifying/);
      expect(text).toMatch(/re-reads the target 3 times/);
      expect(text).toMatch(/request-id/);
      expect(text).not.toMatch(/Succeeded/);
    }
    const write = h.graph.writes()[0];
    expect(run.reply).toContain(write?.requestId);
  });

  it('becomes Resolved at the first check when the error is gone, with a reply and an audit entry', async () => {
    const run = await acceptedRetry();
    await after(MINUTE);
    expect(verificationReads()).toHaveLength(0);
    await after(MINUTE);
    const reads = verificationReads();
    expect(reads).toHaveLength(1);
    expect(reads[0]?.token?.idtyp).toBe('app');
    const reply = cardText(await outcomeReply(h, 'Resolved'));
    expect(reply).toMatch(/^Resolved/);
    expect(reply).toMatch(
      /Verified {{DATE\(2026-11-22T12:02:\d\dZ, SHORT\)}} {{TIME\(2026-11-22T12:02:\d\dZ\)}}/,
    );
    expect(reply).toMatch(/no unresolved provisioning error is left for exchange\/namprd11-001-01/);
    const updated = h.connector.updates().map((u) => cardText(attachedCard(u)));
    expect(updated.at(-1)).toMatch(/^Resolved/);
    const status = await auditTimeline(h, run.rid);
    expect(status).toMatch(/^Resolved/);
    expect(status).toMatch(/Resolved \(verified\) · by the bot · check 1 of 3/);
    const history = cardText((await command(h, 'history', PEOPLE.ada)).card);
    expect(history).toMatch(/Resolved \(verified\) · retry-provisioning/);
    // Settled: later checks do not run.
    await after(60 * MINUTE);
    expect(verificationReads()).toHaveLength(1);
  });

  it('stays verifying while the error stays, and says Still failing after the last check', async () => {
    const run = await acceptedRetry();
    keepAliceFailing();
    await after(2 * MINUTE);
    expect(repliesSaying('Still failing')).toHaveLength(0);
    expect(cardText(attachedCard(h.connector.updates().at(-1)!))).toMatch(
      /^Accepted by Microsoft Graph, verifying.*Not resolved yet at check 1 of 3/s,
    );
    await after(8 * MINUTE);
    await after(20 * MINUTE);
    // Three checks, and the diagnosis's own read of the errors left after the last.
    expect(verificationReads()).toHaveLength(4);
    const reply = cardText(await outcomeReply(h, 'Still failing'));
    expect(reply).toMatch(/^Still failing/);
    expect(reply).toMatch(/last check.*3 of 3/s);
    expect(reply).toMatch(/mailbox could not be created/i);
    // The knowledge table's diagnosis of the error left and its next step.
    expect(reply).toMatch(/Next step: /);
    expect(reply).toMatch(/Diagnosis: .* Fix first: /);
    const status = await auditTimeline(h, run.rid);
    expect(status).toMatch(/^Still failing/);
    expect(status.match(/Checked: still failing/g)).toHaveLength(2);
    expect(status).toMatch(/Still failing · by the bot · check 3 of 3/);
  });

  it.each([
    ['the target is gone', 404, 'Request_ResourceNotFound', /no longer exists.*deleted/s],
    [
      'the read is refused',
      403,
      'Authorization_RequestDenied',
      /refused the bot's read \(403.*read permission/s,
    ],
  ])('says Could not verify at once when %s', async (_what, status, code, why) => {
    const run = await acceptedRetry();
    h.graph.failNext({ method: 'GET', path: ALICE_READ, status, code, message: 'Injected.' });
    await after(2 * MINUTE);
    const reply = cardText(await outcomeReply(h, 'Could not verify'));
    expect(reply).toMatch(why);
    expect(reply).toMatch(/by hand in the Entra admin center/);
    await after(60 * MINUTE);
    expect(verificationReads()).toHaveLength(1);
    expect(await auditTimeline(h, run.rid)).toMatch(/Could not verify · by the bot · check 1 of 3/);
  });

  it('runs a check that fell due while the bot was down once after it starts again', async () => {
    const run = await acceptedRetry();
    keepAliceFailing();
    await h.app.close();
    h.clock.advance(45 * MINUTE);
    await h.restart();
    await h.app.verifier.runDue();
    await after(0);
    // One check (the last: every time of VERIFY_AFTER is past), and the diagnosis of what is left.
    expect(verificationReads()).toHaveLength(2);
    expect(repliesSaying('Still failing')).toHaveLength(1);
    expect(await auditTimeline(h, run.rid)).toMatch(/Still failing · by the bot · check 1 of 3/);
  });
});

describe('a write whose outcome is unknown', () => {
  it('is verified like an accepted one', async () => {
    h = await startHarness({ GRAPH_TIMEOUT_MS: '1000' });
    const hold = h.graph.hold(/retryServiceProvisioning/, { method: 'POST' });
    try {
      const run = await acceptedRetry('Outcome unknown, verifying');
      expect(run.reply).toMatch(/did not answer in time/);
      hold.release();
      await h.graph.waitForRequest((r) => r.method === 'POST');
      await after(2 * MINUTE);
      const reply = cardText(await outcomeReply(h, 'Resolved'));
      expect(reply).toMatch(/^Resolved/);
      expect(await auditTimeline(h, run.rid)).toMatch(
        /Outcome unknown · by Ada Admin.*Resolved \(verified\)/s,
      );
    } finally {
      hold.release();
    }
  });
});

describe('with VERIFY_AFTER empty', () => {
  it('says Accepted by Microsoft Graph and that it was not verified, and reads nothing afterwards', async () => {
    h = await startHarness({ VERIFY_AFTER: '' });
    const run = await acceptedRetry('Accepted by Microsoft Graph');
    expect(run.reply).toMatch(/^Accepted by Microsoft Graph(?!, verifying)/);
    expect(run.reply).toMatch(/Not verified: verification is off/);
    await after(60 * MINUTE);
    expect(verificationReads()).toHaveLength(0);
  });
});

describe('each remediation decides what resolved means', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it.each<[string, string, string, RegExp]>([
    [
      'retry-cloudpc-policy: none of the Cloud PCs that had failed is failed',
      'retry-cloudpc-policy "Frontline shift workers"',
      'Resolved',
      /none of the 2 Cloud PCs that had failed is failed any more/,
    ],
    [
      'reprocess-access-request: a request still delivering after the last check is not known yet',
      `reprocess-access-request ${CONTOSO.requests.failed}`,
      'Could not verify',
      /The request is delivering\. It was still under way at the last check/,
    ],
  ])('%s', async (_what, text, headline, says) => {
    const sent = await command(h, text);
    await approve(h, sent);
    await outcomeReply(h, 'Accepted by Microsoft Graph, verifying');
    await h.app.approvals.drain();
    for (const minutes of [2, 8, 20]) await after(minutes * MINUTE);
    expect(repliesSaying(headline)).toHaveLength(1);
    const verdict = cardText(await outcomeReply(h, headline));
    expect(verdict.startsWith(headline)).toBe(true);
    expect(verdict).toMatch(says);
  });

  it('keeps verifying an access request while it is still delivering, and resolves it once delivered', async () => {
    const sent = await command(h, `reprocess-access-request ${CONTOSO.requests.failed}`);
    await approve(h, sent);
    await outcomeReply(h, 'Accepted by Microsoft Graph, verifying');
    await h.app.approvals.drain();
    await after(2 * MINUTE);
    expect(cardText(attachedCard(h.connector.updates().at(-1)!))).toMatch(
      /^Accepted by Microsoft Graph, verifying.*The request is delivering/s,
    );
    const request = h.graph.store.accessPackageAssignmentRequests.find(
      (r) => r.id === CONTOSO.requests.failed,
    );
    if (!request) throw new Error('the Contoso seed has the failed request');
    request.state = 'delivered';
    request.status = 'Delivered';
    await after(8 * MINUTE);
    expect(cardText(await outcomeReply(h, 'Resolved'))).toMatch(/the request is delivered/);
  });
});
