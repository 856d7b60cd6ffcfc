import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attachedCard, cardActions, cardText } from '../integration/card-helpers';
import { errorLogs, replyTo } from '../integration/flows';
import { PEOPLE, startHarness, type Harness } from '../integration/harness';

jest.setTimeout(30_000);

/**
 * The bot's storage failing under a running bot. A command's pending remediation is written before its
 * confirmation card goes out; when that write fails, no Approve button is ever shown.
 */
let h: Harness;
let dataDir: string;
beforeEach(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'chatops-storage-'));
  h = await startHarness({ DATA_DIR: dataDir });
});
afterEach(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir);
  await h.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('sends no confirmation whose request could not be saved, and says so', async () => {
  // The storage folder turns into a file under the bot, so every write fails (ENOTDIR), as it would for root.
  rmSync(dataDir, { recursive: true, force: true });
  writeFileSync(dataDir, 'not a folder');
  const res = await h.teams.message({ from: PEOPLE.reggie, text: 'retry-provisioning alice@contoso.com' });
  expect(res.status).toBe(200);
  const reply = await replyTo(h, String(res.activity.id));
  const card = attachedCard(reply);
  expect(cardText(card)).toMatch(/^Not saved\n.*nothing to approve and nothing was run\./);
  expect(cardActions(card)).toEqual([]);
  expect(errorLogs(h).map((e) => e.msg)).toContain('the request could not be saved; no card was sent');
  expect(h.connector.requests.filter((r) => r.kind === 'reply')).toHaveLength(1);
  expect(h.connector.requests.filter((r) => r.kind === 'update')).toHaveLength(0);
});
