import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium); playwright-core downloads no browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots go (git-ignored); the best ones are copied to docs/ by hand for the README. */
export const ARTIFACTS_DIR = path.resolve(__dirname, '..', '..', 'test-artifacts', 'browser');

/** Flags for a quiet, offline, headless Chromium in a container. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-default-apps',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--metrics-recording-only',
];

/** A browser page that can reach one origin only. */
export interface IsolatedPage {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Requests that were refused because they left the allowed origin (fonts from a CDN, telemetry…). */
  readonly blocked: string[];
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a page whose every request outside `origin` is aborted, so a test can
 * never reach the network, whatever the page under test tries to load.
 */
export async function openIsolatedPage(origin: string): Promise<IsolatedPage> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: run \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`,
    );
  }
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 960 },
      locale: 'en-US',
      timezoneId: 'UTC',
      serviceWorkers: 'block',
    });
    const blocked: string[] = [];
    const allowed = new URL(origin).origin;
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === allowed) return route.continue();
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    return { browser, context, page, blocked, close: () => browser.close() };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

/** Saves a screenshot of the whole page under test-artifacts/browser/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled' });
  return file;
}
