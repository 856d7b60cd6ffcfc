import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PolicyError } from '../../src/domain/governance/policy-file';
import { CONTOSO, type TeamsUser } from '../fakes';
import { attachedCard, cardActions, cardRefresh, cardText } from './card-helpers';
import { approve, click, command, outcomeReply, replyTo, teamsClient, type Sent } from './flows';
import { PEOPLE, startHarness, type Harness } from './harness';

jest.setTimeout(30_000);

const CAROL: TeamsUser = { name: "Carol O'Brien", aadObjectId: CONTOSO.users.carol };
const APPROVERS_GROUP = '60000000-0000-4000-8000-0000000000a9';
const NESTED_GROUP = '60000000-0000-4000-8000-0000000000aa';

let dir: string;
let h: Harness;
const running: Harness[] = [];

/** Remembers a harness so afterEach stops it exactly once. */
function track(harness: Harness): Harness {
  running.push(harness);
  return harness;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'policy-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function withPolicy(yaml: string): Promise<Harness> {
  const file = path.join(dir, 'policy.yaml');
  writeFileSync(file, yaml);
  h = track(await startHarness({ POLICY_FILE: file, ADMIN_USER_IDS: '' }));
  return h;
}

async function historyText(from: TeamsUser = PEOPLE.ada, args = ''): Promise<string> {
  const sent = await command(h, `history ${args}`.trim(), from);
  return cardText(sent.card);
}

function expectNoWrites() {
  expect(h.graph.writes().filter((w) => !w.path.endsWith('/checkMemberGroups'))).toHaveLength(0);
}

describe('the default policy (no POLICY_FILE): four-eyes, ADMIN_USER_IDS only', () => {
  beforeEach(async () => {
    h = track(await startHarness());
  });

  it('refuses a requester who is not an admin, naming the rule, and records it', async () => {
    const sent = await command(h, 'retry-provisioning alice@contoso.com', CAROL);
    const text = cardText(sent.card);
    expect(text).toMatch(/^Not allowed/);
    expect(text).toMatch(/default\.requesters/);
    expect(cardActions(sent.card)).toHaveLength(0);
    expect(await historyText()).toMatch(/Request refused · retry-provisioning/);
    expectNoWrites();
  });

  it('refuses self-approval under four-eyes with "four-eyes: you requested this", then lets another admin approve', async () => {
    const sent = await command(h, 'retry-provisioning alice@contoso.com', PEOPLE.ada);
    const self = await approve(h, sent, PEOPLE.ada);
    expect(cardText(self.value)).toMatch(/four-eyes: you requested this/);
    expect(cardText(self.value)).toMatch(/^Approval needed/);
    expectNoWrites();
    const history = await historyText(PEOPLE.reggie);
    expect(history).toMatch(/Approval refused · retry-provisioning/);

    const other = await approve(h, sent, PEOPLE.reggie);
    expect(cardText(other.value)).toMatch(/^Failed/);
    expect(h.graph.writes().map((w) => w.token?.oid)).toEqual([CONTOSO.admins.reggie]);
  });

  it('refuses to sign in someone who is not an approver: the click is checked before any token is asked for', async () => {
    const sent = await command(h, 'retry-provisioning alice@contoso.com');
    const body = await click(h, sent, 'approve', CAROL);
    expect(body.statusCode).toBe(200);
    expect(cardText(body.value)).toMatch(/not among the approvers in default\.approvers/);
    expectNoWrites();
  });
});

describe('a policy file', () => {
  const policy = `
default:
  requesters: { users: [${CONTOSO.admins.reggie}, ${CONTOSO.admins.ada}] }
  approvers: { groups: [${APPROVERS_GROUP}] }
  mode: four-eyes
  expiry: 24h
actions:
  reprocess-license:
    mode: self
    approvers: { users: [${CONTOSO.admins.ada}] }
    expiry: 1h
`;

  async function start() {
    await withPolicy(policy);
    h.graph.seed({
      groups: [
        { id: APPROVERS_GROUP, displayName: 'Remediation approvers', memberIds: [NESTED_GROUP] },
        { id: NESTED_GROUP, displayName: 'Identity team', memberIds: [CONTOSO.admins.ada] },
      ],
    });
  }

  it('lets a member of a nested approvers group approve, checked app-only through Graph', async () => {
    await start();
    const sent = await command(h, 'retry-provisioning alice@contoso.com');
    const done = await approve(h, sent, PEOPLE.ada);
    expect(cardText(done.value)).toMatch(/^Accepted by Microsoft Graph/);
    const check = h.graph.requests.find((r) => r.path.endsWith('/checkMemberGroups'));
    expect(check?.token).toMatchObject({ idtyp: 'app' });
    expect(check?.body).toEqual({ groupIds: [APPROVERS_GROUP] });
  });

  it('refuses someone outside the approvers group, naming the rule', async () => {
    await start();
    const sent = await command(h, 'retry-provisioning alice@contoso.com');
    const body = await approve(h, sent, PEOPLE.nora);
    expect(cardText(body.value)).toMatch(/not among the approvers in default\.approvers/);
    expectNoWrites();
  });

  it('applies an action-specific self mode: the requester may approve their own reprocess-license', async () => {
    await start();
    const sent = await command(h, 'reprocess-license alice@contoso.com', PEOPLE.ada);
    expect(cardText(sent.card)).toMatch(/\(rule actions\.reprocess-license\), Ada Admin included\./);
    const done = await approve(h, sent, PEOPLE.ada);
    expect(cardText(done.value)).toMatch(/^Accepted by Microsoft Graph/);
  });

  it('expires a request after its window: the card says Expired and nothing runs', async () => {
    await start();
    const sent = await command(h, 'reprocess-license alice@contoso.com', PEOPLE.ada);
    h.clock.advance(61 * 60_000);
    const body = await approve(h, sent, PEOPLE.ada);
    const text = cardText(body.value);
    expect(text).toMatch(/^Expired/);
    expect(text).toMatch(/can no longer run/);
    expectNoWrites();
    const update = await h.connector.waitFor((r) => r.kind === 'update' && r.activityId === sent.cardId);
    expect(cardText(attachedCard(update))).toMatch(/^Expired/);
    expect(await historyText(PEOPLE.ada, '--action reprocess-license')).toMatch(
      /Expired · reprocess-license/,
    );
  });

  it('refuses a policy with a typo at start, naming the line and the key', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'default:\n  mode: four-eyes\n  aprovers:\n    users: []\nactions:\n  retry-provisoning: {}\n',
    );
    const started = startHarness({ POLICY_FILE: file });
    await expect(started).rejects.toBeInstanceOf(PolicyError);
    await expect(started).rejects.toThrow(/line 3, default\.aprovers: unknown key "aprovers"/);
    await expect(started).rejects.toThrow(/line 6, actions\.retry-provisoning: is not an action/);
  });

  it('answers only in the teams and channels it lists', async () => {
    await withPolicy(`${policy}\nscope:\n  channels: ['19:allowed@thread.tacv2']\n`);
    const elsewhere = await h.teams.message({ from: PEOPLE.reggie, text: 'help' });
    expect(elsewhere.status).toBe(200);
    const allowed = teamsClient(h, { channelId: '19:allowed@thread.tacv2' });
    const sent = await command(h, 'retry-provisioning alice@contoso.com', PEOPLE.reggie, { client: allowed });
    expect(cardText(sent.card)).toMatch(/^Approval needed/);
    expect(h.connector.requests.filter((r) => r.activityId === String(elsewhere.activity.id))).toHaveLength(
      0,
    );
    const invoke = await h.teams.invoke({
      from: PEOPLE.ada,
      conversationId: sent.conversationId,
      replyToId: sent.cardId,
      verb: 'approve',
      data: cardActions(sent.card)[0]?.data ?? {},
      token: h.ssoToken(PEOPLE.ada),
    });
    expect(invoke.body).toMatchObject({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: expect.stringMatching(/does not let this bot act in this team or channel/),
    });
    expectNoWrites();
  });
});

describe('reject, cancel and refresh', () => {
  beforeEach(async () => {
    h = track(await startHarness());
  });

  async function pending(): Promise<Sent> {
    return command(h, 'retry-provisioning alice@contoso.com', PEOPLE.reggie);
  }

  it('rejects with a reason: everyone sees Rejected, the thread is told, and Approve no longer runs', async () => {
    const sent = await pending();
    const rid = cardActions(sent.card)[0]?.data.rid;
    const body = await click(h, sent, 'reject', PEOPLE.ada, undefined, {
      rid,
      reason: 'Ticket INC-42 says wait',
    });
    expect(cardText(body.value)).toMatch(/^Rejected/);
    expect(cardText(body.value)).toMatch(/Ticket INC-42 says wait/);
    expect(cardText(body.value)).toMatch(/rejected by Ada Admin/);
    expect(cardText(await outcomeReply(h, 'Rejected'))).toMatch(/Ticket INC-42/);
    const later = await approve(h, sent, PEOPLE.nora);
    expect(cardText(later.value)).toMatch(/^Rejected/);
    expectNoWrites();
    expect(await historyText()).toMatch(/Rejected · retry-provisioning/);
  });

  it('refuses a reject by someone who may not approve', async () => {
    const sent = await pending();
    const body = await click(h, sent, 'reject', CAROL);
    expect(cardText(body.value)).toMatch(/may not reject/);
    expect(cardText(body.value)).toMatch(/^Approval needed/);
  });

  it('lets only the requester cancel', async () => {
    const sent = await pending();
    const byOther = await click(h, sent, 'cancel', PEOPLE.ada);
    expect(cardText(byOther.value)).toMatch(/Only the person who requested this can cancel it/);
    const byRequester = await click(h, sent, 'cancel', PEOPLE.reggie);
    expect(cardText(byRequester.value)).toMatch(/^Cancelled/);
  });

  it('decides a reject racing an approve exactly once', async () => {
    const sent = await pending();
    const rid = cardActions(sent.card)[0]?.data.rid;
    const [approved, rejected] = await Promise.all([
      approve(h, sent, PEOPLE.ada),
      click(h, sent, 'reject', PEOPLE.nora, undefined, { rid, reason: 'race' }),
    ]);
    const words = [cardText(approved.value), cardText(rejected.value)].map((t) => t.split('\n')[0]);
    const writes = h.graph.writes().filter((w) => !w.path.endsWith('/checkMemberGroups'));
    if (writes.length === 0) {
      expect(words).toEqual(['Rejected', 'Rejected']);
    } else {
      expect(writes).toHaveLength(1);
      expect(words[1]).toMatch(/^(Running|Succeeded)$/);
    }
    const history = await historyText(PEOPLE.ada, '--action retry-provisioning');
    expect((history.match(/· (Rejected|Approved) ·/g) ?? []).length).toBe(1);
  });

  it('refreshes into each viewer’s own card: approvers see Approve/Reject, the requester Cancel, others nothing', async () => {
    const res = await h.teams.message({ from: PEOPLE.reggie, text: 'retry-provisioning alice@contoso.com' });
    const rec = await replyTo(h, String(res.activity.id));
    const sent: Sent = {
      card: attachedCard(rec),
      cardId: String(rec.newId),
      conversationId: String(rec.conversationId),
    };
    const refresh = cardRefresh(sent.card);
    expect(refresh?.verb).toBe('refresh');
    expect(refresh?.userIds).toEqual([(res.activity.from as { id: string }).id]);
    const as = async (who: TeamsUser) =>
      click(h, sent, 'refresh', who, undefined, refresh?.data).then((b) =>
        cardActions(b.value).map((a) => a.verb),
      );
    expect(await as(PEOPLE.ada)).toEqual(['approve', 'reject']);
    expect(await as(PEOPLE.reggie)).toEqual(['cancel']);
    expect(await as(CAROL)).toEqual([]);
    await approve(h, sent, PEOPLE.ada);
    const after = await click(h, sent, 'refresh', CAROL, undefined, refresh?.data);
    expect(cardText(after.value)).toMatch(/^Failed|^Accepted by Microsoft Graph/);
    expect(cardText(after.value)).toMatch(/approved by Ada Admin/);
  });
});

describe('history and status', () => {
  beforeEach(async () => {
    h = track(await startHarness());
  });

  it('lists the trail newest first, filters by action and user, and pages', async () => {
    const first = await command(h, 'retry-provisioning alice@contoso.com');
    await approve(h, first);
    await command(h, 'reprocess-license alice@contoso.com');
    const text = await historyText(PEOPLE.ada);
    const lines = text
      .split('\n')
      .filter((l) => / · (Requested|Approved|Failed|Accepted by Graph) · /.test(l));
    // One row per remediation, where it stands now; `status` shows every step.
    expect(lines.map((l) => l.split(' · ')[1])).toEqual(['Requested', 'Accepted by Graph']);
    expect(text).toMatch(/request-id/);

    const filtered = await historyText(PEOPLE.ada, '--action reprocess-license');
    expect(filtered).not.toMatch(/retry-provisioning ·|· retry-provisioning/);
    expect(await historyText(PEOPLE.ada, '--user bob@contoso.com')).toMatch(/No audit entries match/);

    const paged = await command(h, 'history --limit 1', PEOPLE.ada);
    expect(cardText(paged.card).match(/ · Requested · /g)).toHaveLength(1);
    const more = cardActions(paged.card).find((a) => a.verb === 'history-more');
    expect(more).toBeDefined();
    const next = await click(h, paged, 'history-more', PEOPLE.ada);
    expect(cardText(next.value)).toMatch(/ · Accepted by Graph · retry-provisioning/);
  });

  it('shows one remediation with its timeline', async () => {
    const sent = await command(h, 'retry-provisioning alice@contoso.com');
    await approve(h, sent);
    const rid = String(cardActions(sent.card)[0]?.data.rid);
    const status = await command(h, `status ${rid}`, PEOPLE.ada);
    const text = cardText(status.card);
    expect(text).toMatch(/^Accepted by Microsoft Graph/);
    const timeline = text
      .split('\n')
      .filter((l) => /^\{\{DATE\(\d{4}-.* · (Requested|Approved|Accepted by Graph) · /.test(l));
    expect(timeline.map((l) => l.split(' · ')[1])).toEqual(['Requested', 'Approved', 'Accepted by Graph']);
  });

  it('lets only people the policy knows change what a channel is notified about', async () => {
    const refused = await command(h, 'subscribe all', CAROL);
    expect(cardText(refused.card)).toMatch(/^Not allowed/);
    expect(cardText((await command(h, 'subscriptions', CAROL)).card)).not.toMatch(/^Not allowed/);
    const allowed = await command(h, 'subscribe license', PEOPLE.ada);
    expect(cardText(allowed.card)).not.toMatch(/^Not allowed/);
    expect(cardText((await command(h, 'unsubscribe', CAROL)).card)).toMatch(/^Not allowed/);
  });

  it('refuses history to someone the policy does not know, and says not found for a forged id', async () => {
    expect(await historyText(CAROL)).toMatch(/^Not allowed/);
    const status = await command(h, 'status AAAAAAAAAAAAAAAAAAAAAA', PEOPLE.ada);
    expect(cardText(status.card)).toMatch(/^Not found/);
  });
});
