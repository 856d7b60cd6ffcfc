import { CONTOSO } from '../fakes';
import type { Sandbox } from '../sandbox/sandbox';
import { screenshot, type IsolatedPage } from './browser';
import { openPlaygroundSession, type PlaygroundSession } from './playground-session';
import type { PlaygroundPage } from './playground-page';

/**
 * `npm run sandbox -- --four-eyes` as a newcomer tries the default policy: the one person in the Playground
 * asks as the simulated Reggie (`act-as reggie`), is refused approving as him, then approves as themselves
 * (`act-as me`): a second admin, since the Playground has no user switcher.
 */
describe('four-eyes approval in the Agents Playground', () => {
  let session: PlaygroundSession | undefined;
  let sandbox: Sandbox;
  let page: IsolatedPage['page'];
  let playground: PlaygroundPage;

  beforeAll(async () => {
    session = await openPlaygroundSession('bot-four-eyes.log', { fourEyes: true });
    ({ sandbox, playground } = session);
    page = session.ui.page;
  });

  afterAll(async () => {
    await session?.close();
  });

  it('refuses the requester and lets a second admin approve, end to end', async () => {
    const s = sandbox;
    await (await playground.mentionBot('act-as reggie')).getByText('You act as Reggie Requester').waitFor();

    const request = 'retry-provisioning alice@contoso.com';
    const thread = await playground.mentionBot(request);
    await thread.getByText('Approval needed').waitFor();
    await thread.getByText(/other than Reggie Requester: four-eyes\./).waitFor();
    await thread.getByText(`Requested by Reggie Requester · ${request}`).waitFor();

    // Reggie may request but not approve (the four-eyes policy names no role of his): refused on the card,
    // which stays open for someone else.
    await thread.getByRole('button', { name: 'Approve' }).click();
    await thread.getByText(/^You may not approve retry-provisioning/).waitFor();
    await thread.getByRole('button', { name: 'Approve' }).waitFor();
    expect(s.tenant.graph.callCount('retryServiceProvisioning')).toBe(0);
    await screenshot(page, 'four-eyes-refused');

    await (await playground.mentionBot('act-as me')).getByText('You act as Ada Admin again').waitFor();
    await thread.getByRole('button', { name: 'Approve' }).click();
    await thread.getByText('Accepted by Microsoft Graph, verifying', { exact: true }).waitFor();
    // One line in the thread tells both: the requester and the approver are @mentioned.
    const reply = thread.getByText(
      /: Retry service provisioning for Alice Smith\. Remediation \S+; its card/,
    );
    await reply.waitFor();
    expect(await reply.textContent()).toMatch(/Reggie Requester.*Ada Admin/);
    await thread.getByText(/^Requested by Reggie Requester .*; approved by Ada Admin /).waitFor();
    expect(await thread.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await screenshot(page, 'four-eyes-approved');

    // The write ran once, on behalf of the approver, not the requester.
    expect(s.tenant.graph.callCount('retryServiceProvisioning', CONTOSO.users.alice)).toBe(1);
    const write = s.tenant.graph.writes().find((w) => w.path.endsWith('/retryServiceProvisioning'));
    expect(write?.token).toMatchObject({ oid: CONTOSO.admins.ada, idtyp: 'user' });
  });
});
