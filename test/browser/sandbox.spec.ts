import { existsSync } from 'node:fs';
import path from 'node:path';
import { defaultRegistry } from '../../src/domain/actions/registry';
import { CONTOSO } from '../fakes';
import type { Sandbox } from '../sandbox/sandbox';
import { screenshot, type IsolatedPage } from './browser';
import { openPlaygroundSession, type PlaygroundSession } from './playground-session';
import type { PlaygroundPage } from './playground-page';
import { systemClock } from '../../src/infra/clock';

const OBO_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Ids a licence card names instead: the SKUs Alice holds and the licensing group's object id. */
const SKU_OR_GROUP_ID = /c7df2760|4b585984|60000000-0000-4000-8000-000000000001/i;

/**
 * The local sandbox as a newcomer sees it: the real bot against the simulated tenant, driven through the
 * Microsoft 365 Agents Playground's own web client in headless Chromium, with no request leaving loopback.
 */
describe('the sandbox in the Microsoft 365 Agents Playground', () => {
  let session: PlaygroundSession | undefined;
  let sandbox: Sandbox;
  let page: IsolatedPage['page'];
  let playground: PlaygroundPage;

  beforeAll(async () => {
    // The monitor's interval is off: the test runs one cycle itself, after subscribing, instead of waiting.
    session = await openPlaygroundSession('bot.log');
    ({ sandbox, playground } = session);
    page = session.ui.page;
  });

  afterAll(async () => {
    await session?.close();
  });

  it('answers "@Provisioning Fixer help" in a team channel with every command', async () => {
    const thread = await playground.mentionBot('help');
    await thread.getByText('Provisioning remediation').waitFor();
    for (const action of defaultRegistry(systemClock).actions) {
      await thread.getByText(action.summary).waitFor();
    }
    // The placeholders show as typed: the client's Markdown would otherwise take <user> for an HTML tag.
    for (const usage of [
      'retry-provisioning [<user>…] [--group <group>]',
      'retry-cloudpc-policy <policy>',
      'status <remediation-id>',
      'help [<command>]',
      'Type help <command> for details.',
    ]) {
      await thread.getByText(usage, { exact: true }).waitFor();
    }
    await screenshot(page, 'help-in-channel');
  });

  it('runs retry-provisioning from the command to Accepted by Microsoft Graph through the card buttons', async () => {
    const s = sandbox;
    const thread = await playground.mentionBot('retry-provisioning alice@contoso.com');
    await thread.getByText('Approval needed').waitFor();
    await thread.getByText('Retry service provisioning for Alice Smith').first().waitFor();
    await thread
      .getByText(/proxy address SMTP:alice@contoso.com is already used/)
      .first()
      .waitFor();
    expect(s.tenant.graph.callCount('retryServiceProvisioning')).toBe(0);
    // How long it stays open, in words that stay true, beside the time in the viewer's own zone.
    await thread.getByText(/^Can be approved for 24 h from the request, until .*\d{1,2}:\d{2}/).waitFor();
    expect(await thread.getByText(/\{\{(DATE|TIME)\(/).count()).toBe(0);
    await screenshot(page, 'confirmation-card');

    await thread.getByRole('button', { name: 'Approve' }).first().click();
    await thread.getByText('Accepted by Microsoft Graph, verifying').first().waitFor();
    await thread.getByText('Graph status').first().waitFor();
    expect(await thread.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await screenshot(page, 'succeeded-card');

    // Approve worked without SSO because the bot fetched Ada's token from the simulated tenant, then
    // validated it and exchanged it on-behalf-of her: Graph saw her delegated token, not the app's.
    const entra = s.tenant.entra.requests;
    expect(entra.some((r) => r.grantType === 'sandbox_sso' && r.status === 200)).toBe(true);
    expect(entra.some((r) => r.grantType === OBO_GRANT && r.status === 200)).toBe(true);
    expect(s.tenant.graph.callCount('retryServiceProvisioning', CONTOSO.users.alice)).toBe(1);
    const write = s.tenant.graph.writes().find((w) => w.path.endsWith('/retryServiceProvisioning'));
    expect(write?.token).toMatchObject({ oid: CONTOSO.admins.ada, idtyp: 'user' });
  });

  it('switches who Ada acts as with act-as, and back', async () => {
    // Requests made meanwhile are test/integration/acting-as.test.ts's; here, the Playground's own text.
    const as = await playground.mentionBot('act-as reggie');
    await as.getByText('You act as Reggie Requester').waitFor();
    const back = await playground.mentionBot('act-as me');
    await back.getByText('You act as Ada Admin again').waitFor();
  });

  it('shows a command echo that looks like Markdown as written, and plants no link', async () => {
    const topic = '*Urgent* [Go](http://evil.x) _now_';
    const thread = await playground.mentionBot(`help "${topic}"`);
    const card = thread.locator('.ac-adaptiveCard').last();
    await card.getByText(`There is no command "${topic}".`, { exact: true }).waitFor();
    expect(await card.locator('a, em, strong, code').count()).toBe(0);
    await screenshot(page, 'literal-text');
  });

  it('runs "Did you mean" from its button, and tells the outcome once on the card and in one line', async () => {
    const thread = await playground.mentionBot('reprocess-licnse "Alice Smith"');
    await thread.getByText('Did you mean reprocess-license?').waitFor();
    await thread.getByRole('button', { name: 'Run reprocess-license "Alice Smith"' }).click();
    await thread.getByText('Approval needed').waitFor();
    await thread.getByText('Reprocess licence assignments for Alice Smith').first().waitFor();
    // The licence is named by its product and its group, as subscribedSkus and the group read name them.
    await thread
      .getByText(/ENTERPRISEPREMIUM/)
      .first()
      .waitFor();
    await thread
      .getByText(/Licensing - Microsoft 365 E5/)
      .first()
      .waitFor();
    expect(await thread.innerText()).not.toMatch(SKU_OR_GROUP_ID);
    await screenshot(page, 'licence-confirmation');
    await thread.getByRole('button', { name: 'Approve' }).first().click();
    await thread
      .getByText(/^Accepted by Microsoft Graph/)
      .first()
      .waitFor();
    const reply = thread.getByText(
      /: Reprocess licence assignments for Alice Smith\. Remediation \S+; its card/,
    );
    await reply.waitFor();
    await expect(reply.textContent()).resolves.toMatch(/Ada Admin/);
    expect(await thread.getByText('Graph status').count()).toBe(1);
    expect(await thread.innerText()).not.toMatch(SKU_OR_GROUP_ID);
    await screenshot(page, 'outcome-and-reply');
  });

  // Proactive failure cards are issue 4's; the test runs when that feature is in the tree.
  const monitorOf = (s: Sandbox) =>
    (s.app as { notifications?: { monitor?: { runOnce(): Promise<unknown> } } }).notifications?.monitor;
  const proactive = existsSync(path.resolve(__dirname, '../../src/features/notify/notifications.ts'));
  (proactive ? it : it.skip)(
    'posts a proactive failure card whose Remediate button opens the confirmation',
    async () => {
      const subscribed = await playground.mentionBot('subscribe all');
      await subscribed
        .getByText(/subscribed|notif/i)
        .first()
        .waitFor();
      const monitor = monitorOf(sandbox);
      expect(monitor).toBeDefined();
      await monitor!.runOnce();
      // Each failure is its own post in the channel, with what failed, the error and a Remediate button.
      const card = page
        .getByRole('group')
        .filter({ has: page.getByText('Cloud PCs failed to provision: Frontline shift workers') })
        .first();
      const remediate = card.getByRole('button', { name: 'Remediate' });
      await remediate.waitFor();
      await card.getByText('retry-cloudpc-policy 30000000-0000-4000-8000-000000000001').waitFor();
      // The time is DATE()/TIME(): the client writes it in the viewer's own zone and format.
      await card.getByText(/^Failed .*\d{4}.*\d{1,2}:\d{2}/).waitFor();
      expect(await card.getByText(/\{\{(DATE|TIME)\(/).count()).toBe(0);
      await card.scrollIntoViewIfNeeded();
      await screenshot(page, 'failure-card');
      await remediate.click();
      // The invoke answer replaces the failure card in place with the confirmation for the same target.
      const confirmation = page
        .getByRole('group')
        .filter({ has: page.getByText('Approval needed') })
        .filter({ has: page.getByText('retry-cloudpc-policy 30000000-0000-4000-8000-000000000001') })
        .first();
      await confirmation.getByRole('button', { name: 'Approve' }).waitFor();
      await confirmation.getByText('Frontline shift workers').first().waitFor();
      expect(sandbox.tenant.graph.callCount('retryCloudPcPolicy')).toBe(0);
      await screenshot(page, 'failure-remediate');
    },
  );
});
