import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TeamsAppManifest } from '@microsoft/teams-manifest';
import JSZip from 'jszip';
import { defaultRegistry } from '../../src/domain/actions/registry';
import {
  buildAppPackage,
  fillPlaceholders,
  PackageError,
  ROOT_DIR,
  validateManifest,
} from '../../scripts/package-app';
import { command } from '../integration/flows';
import { startHarness, type Harness } from '../integration/harness';
import { decodePng } from './png-image';
import { ManualClock } from '../fakes/manual-clock';

const APP_DIR = path.join(ROOT_DIR, 'appPackage');
const rawManifest = readFileSync(path.join(APP_DIR, 'manifest.json'), 'utf8');
const template = JSON.parse(rawManifest) as TeamsAppManifest;
const registry = defaultRegistry(new ManualClock(Date.parse('2026-11-22T12:00:00Z')));

/** Values a provisioned environment would hold (the Toolkit writes them into env/.env.<env>). */
const PROVISIONED = {
  TEAMS_APP_ID: '11111111-2222-4333-8444-555555555555',
  APP_NAME_SUFFIX: 'dev',
  BOT_ID: '66666666-7777-4888-8999-aaaaaaaaaaaa',
  BOT_DOMAIN: 'fixer.contoso.example',
  AAD_APP_CLIENT_ID: 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff',
  AAD_APP_ID_URI: 'api://botid-66666666-7777-4888-8999-aaaaaaaaaaaa',
};

function filled(values: Record<string, string> = PROVISIONED): TeamsAppManifest {
  return JSON.parse(fillPlaceholders(rawManifest, values, ['test'])) as TeamsAppManifest;
}

describe('appPackage/manifest.json', () => {
  it('is valid against the published schema of its manifestVersion once its placeholders are filled', async () => {
    expect(await validateManifest(filled())).toEqual([]);
  });

  it('is on a current manifest version (the one the Agents Toolkit templates use, 1.29, or newer)', () => {
    const [major, minor] = template.manifestVersion.split('.').map(Number);
    expect(major).toBe(1);
    expect(minor).toBeGreaterThanOrEqual(29);
  });

  it('fails validation when the manifest breaks the schema', async () => {
    const broken = filled() as unknown as Record<string, unknown> & { bots: Array<Record<string, unknown>> };
    broken.bots[0]!.scopes = ['team', 'channel'];
    delete broken.developer;
    const errors = await validateManifest(broken as unknown as TeamsAppManifest);
    expect(errors.join('\n')).toMatch(/scopes/);
    expect(errors.join('\n')).toMatch(/developer/);
    const wrongSchema = { ...filled(), $schema: template.$schema!.replace(/v1\.\d+/, 'v1.17') };
    expect(await validateManifest(wrongSchema)).toEqual([
      expect.stringMatching(/not the schema of manifestVersion/),
    ]);
  });

  it('puts the bot in team, group chat and personal scope (personal is what card sign-in needs)', () => {
    const bot = template.bots?.[0];
    expect(bot?.botId).toBe('${{BOT_ID}}');
    expect([...(bot?.scopes ?? [])].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect([...(bot?.commandLists?.[0]?.scopes ?? [])].sort()).toEqual(['groupChat', 'personal', 'team']);
  });

  it('declares SSO from AAD_APP_CLIENT_ID and AAD_APP_ID_URI, and the bot domain as a valid domain', () => {
    expect(template.webApplicationInfo).toEqual({
      id: '${{AAD_APP_CLIENT_ID}}',
      resource: '${{AAD_APP_ID_URI}}',
    });
    expect(template.validDomains).toEqual(['${{BOT_DOMAIN}}']);
    expect(template.id).toBe('${{TEAMS_APP_ID}}');
  });

  it('has a 192×192 colour icon and a 32×32 outline icon that is white on transparent', () => {
    const color = decodePng(readFileSync(path.join(APP_DIR, template.icons.color)));
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = decodePng(readFileSync(path.join(APP_DIR, template.icons.outline)));
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let transparent = 0;
    const notWhite: number[] = [];
    for (let i = 0; i < outline.width * outline.height; i++) {
      const [r, g, b, a] = outline.rgba.subarray(i * 4, i * 4 + 4);
      if (a === 0) transparent++;
      else if ((r ?? 0) < 0xf0 || (g ?? 0) < 0xf0 || (b ?? 0) < 0xf0) notWhite.push(i);
    }
    expect(transparent).toBeGreaterThan(outline.width * outline.height * 0.3);
    expect(notWhite).toEqual([]);
  });
});

describe('the manifest command menu', () => {
  let h: Harness;
  /** What the running bot answers to `help`: the commands it really accepts, built-ins included. */
  let known: Array<{ name: string; summary: string }>;

  beforeAll(async () => {
    h = await startHarness();
    const { card } = await command(h, 'help');
    known = helpCommands(card);
  });
  afterAll(async () => {
    await h.close();
  });

  const menu = () => template.bots?.[0]?.commandLists?.[0]?.commands ?? [];

  it('lists every remediation of the action registry and help, described as help describes them', () => {
    const titles = menu().map((c) => c.title);
    for (const action of registry.actions) {
      expect(titles).toContain(action.name);
      expect(menu().find((c) => c.title === action.name)?.description).toBe(action.summary);
    }
    expect(titles).toContain('help');
  });

  it('lists only commands the bot accepts, with the summary its help card shows', () => {
    for (const c of menu()) {
      expect(known.map((k) => k.name)).toContain(c.title);
      expect(c.description).toBe(known.find((k) => k.name === c.title)?.summary);
    }
  });

  it('lists every command the bot accepts, as far as Teams allows (10 per list)', () => {
    const titles = menu().map((c) => c.title);
    const missing = known.map((k) => k.name).filter((n) => !titles.includes(n));
    if (known.length <= 10) expect(missing).toEqual([]);
    else expect(titles).toHaveLength(10);
  });
});

describe('npm run package', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'app-package-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const envFile = (name: string, values: Record<string, string>) =>
    writeFileSync(
      path.join(dir, name),
      `# test\n${Object.entries(values)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')}\n`,
    );

  it('writes appPackage.<env>.zip with the manifest filled from env/.env.<env> and its .user file', async () => {
    envFile('.env.test', { ...PROVISIONED, BOT_DOMAIN: 'old.example' });
    envFile('.env.test.user', {
      BOT_DOMAIN: '"fixer.contoso.example"',
      SECRET_BOT_PASSWORD: 'not-in-the-zip',
    });
    const { zipPath } = await buildAppPackage({ env: 'test', envDir: dir, outDir: path.join(dir, 'build') });
    expect(path.basename(zipPath)).toBe('appPackage.test.zip');
    const zip = await JSZip.loadAsync(readFileSync(zipPath));
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const text = await zip.file('manifest.json')!.async('string');
    expect(text).not.toMatch(/\$\{\{/);
    expect(text).not.toContain('not-in-the-zip');
    const manifest = JSON.parse(text) as TeamsAppManifest;
    expect(manifest.id).toBe(PROVISIONED.TEAMS_APP_ID);
    expect(manifest.bots?.[0]?.botId).toBe(PROVISIONED.BOT_ID);
    expect(manifest.validDomains).toEqual(['fixer.contoso.example']);
    expect(manifest.webApplicationInfo).toEqual({
      id: PROVISIONED.AAD_APP_CLIENT_ID,
      resource: PROVISIONED.AAD_APP_ID_URI,
    });
    expect(manifest.name.short).toBe('Provisioning Fixerdev');
    const icon = await zip.file('outline.png')!.async('nodebuffer');
    expect(icon.equals(readFileSync(path.join(APP_DIR, 'outline.png')))).toBe(true);
  });

  it('refuses an unfilled placeholder, naming every one and where it looked', async () => {
    const rest: Record<string, string> = { ...PROVISIONED, BOT_ID: '' };
    delete rest.BOT_DOMAIN;
    envFile('.env.test', rest);
    const attempt = buildAppPackage({ env: 'test', envDir: dir, outDir: path.join(dir, 'build') });
    await expect(attempt).rejects.toThrow(PackageError);
    await expect(attempt).rejects.toThrow(/\$\{\{BOT_ID\}\}, \$\{\{BOT_DOMAIN\}\}/);
    await expect(attempt).rejects.toThrow(/\.env\.test/);
  });

  it('refuses the committed local environment until the Toolkit has provisioned it', async () => {
    const attempt = buildAppPackage({ env: 'local', outDir: path.join(dir, 'build') });
    await expect(attempt).rejects.toThrow(
      /unfilled placeholders: .*\$\{\{TEAMS_APP_ID\}\}.*env\/\.env\.local/,
    );
  });

  it('refuses a filled manifest that the schema rejects', async () => {
    envFile('.env.test', { ...PROVISIONED, TEAMS_APP_ID: 'not-a-guid' });
    await expect(
      buildAppPackage({ env: 'test', envDir: dir, outDir: path.join(dir, 'build') }),
    ).rejects.toThrow(/not valid:\n.*id/);
  });
});

/** The command names and summaries on the bot's help card (usage lines are monospace, summaries follow). */
function helpCommands(card: unknown): Array<{ name: string; summary: string }> {
  const found: Array<{ name: string; summary: string }> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const items = (node as { items?: unknown }).items;
    if (Array.isArray(items) && items.length >= 2) {
      const [usage, summary] = items as Array<{ type?: string; text?: string; fontType?: string }>;
      if (
        usage?.fontType === 'Monospace' &&
        typeof usage.text === 'string' &&
        typeof summary?.text === 'string'
      ) {
        found.push({ name: usage.text.split(' ')[0] ?? '', summary: summary.text });
      }
    }
    Object.values(node).forEach(walk);
  };
  walk(card);
  return found;
}
