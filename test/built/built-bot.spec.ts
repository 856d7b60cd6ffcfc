import { existsSync } from 'node:fs';
import path from 'node:path';
import { bundleEntry } from '../../scripts/bundle';
import { attachedCard, cardActions, cardText } from '../integration/card-helpers';
import { PEOPLE } from '../integration/harness';
import {
  ask,
  ssoToken,
  startScene,
  type BotProcess,
  type ProcessScene,
  type Tenant,
} from '../process/bot-process';
import { startAzurite, type Azurite } from '../storage/azurite';

/*
 * The bundle `npm run build` writes is what `npm start` runs in production; these suites drive it as a process
 * through the core loop with each store, so a module the bundler mishandled (a file read beside the module, an
 * ESM-only branch) fails here rather than in a tenant. Run after `npm run build`.
 */

let azurite: Azurite;
let scene: ProcessScene;
let tenant: Tenant;

beforeAll(async () => {
  if (!existsSync(bundleEntry())) throw new Error(`${bundleEntry()} is missing: run npm run build first`);
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.stop();
});
beforeEach(async () => {
  scene = await startScene('built-');
  ({ tenant } = scene);
});
afterEach(() => scene.end());

const STORES: Array<[string, () => Record<string, string>]> = [
  ['the file store', () => ({ DATA_DIR: scene.dataDir })],
  [
    'Azure Blob Storage',
    () => ({
      DATA_DIR: scene.dataDir,
      STORAGE_CONNECTION_STRING: azurite.connectionString,
      STORAGE_CONTAINER: `built${path
        .basename(scene.dataDir)
        .replace(/[^a-z0-9]/gi, '')
        .toLowerCase()}`,
    }),
  ],
];

function start(store: Record<string, string>): Promise<BotProcess> {
  return scene.start(store, 'built');
}

describe.each(STORES)('the built bundle with %s', (_name, store) => {
  it('confirms, runs on the approver’s behalf, replies with the result, keeps the audit across a restart and exits 0 on SIGTERM', async () => {
    const first = await start(store());
    const confirmation = await ask(tenant, first, PEOPLE.reggie, 'retry-provisioning alice@contoso.com');
    expect(cardText(attachedCard(confirmation))).toMatch(/alice@contoso\.com/);
    const rid = cardActions(attachedCard(confirmation))[0]?.data.rid;

    const clicked = await first.teams.invoke({
      from: PEOPLE.ada,
      verb: 'approve',
      token: ssoToken(tenant, PEOPLE.ada),
      conversationId: String(confirmation.conversationId),
      replyToId: String(confirmation.newId),
      data: { rid },
    });
    expect(clicked.status).toBe(200);
    // The card turns into the outcome in place; one line in the thread tells the requester and the approver.
    const said = (r: { body: unknown }) => String((r.body as { text?: unknown } | undefined)?.text ?? '');
    const told = await tenant.connector.waitFor(
      (r) => r.kind === 'send' && /Accepted by Microsoft Graph/.test(said(r)),
    );
    expect(said(told)).toMatch(/<at>Reggie Requester<\/at> <at>Ada Admin<\/at> Accepted by Microsoft Graph/);
    expect(tenant.graph.callCount('retryServiceProvisioning')).toBe(1);
    expect(
      tenant.entra.requests.filter(
        (r) => r.grantType === 'urn:ietf:params:oauth:grant-type:jwt-bearer' && r.status === 200,
      ),
    ).toHaveLength(1);

    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await start(store());
    const listed = await ask(tenant, second, PEOPLE.ada, 'history --action retry-provisioning');
    expect(cardText(attachedCard(listed))).toMatch(/Accepted by Graph · retry-provisioning/);
    expect(tenant.graph.callCount('retryServiceProvisioning')).toBe(1);
  });
});
