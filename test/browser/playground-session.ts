import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startSandbox, type Sandbox, type SandboxOptions } from '../sandbox/sandbox';
import { ARTIFACTS_DIR, openIsolatedPage, type IsolatedPage } from './browser';
import { PlaygroundPage } from './playground-page';

/** The bot's name in the Playground, as the sandbox's manifest gives it. */
export const BOT_NAME = 'Provisioning Fixer';

/** The sandbox with the Playground open on its Provisioning channel in headless Chromium. */
export interface PlaygroundSession {
  readonly sandbox: Sandbox;
  readonly ui: IsolatedPage;
  readonly playground: PlaygroundPage;
  /** Closes the page, the sandbox and the bot's log, whatever started. */
  close(): Promise<void>;
}

/**
 * Starts the sandbox (its log to `logName` under the test artifacts, the monitor's interval off unless `env`
 * sets it: tests run a cycle themselves) and opens the Playground on the team channel, as a newcomer would.
 */
export async function openPlaygroundSession(
  logName: string,
  options: Omit<SandboxOptions, 'logDestination'> = {},
): Promise<PlaygroundSession> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const log = createWriteStream(path.join(ARTIFACTS_DIR, logName));
  let sandbox: Sandbox | undefined;
  let ui: IsolatedPage | undefined;
  const close = async () => {
    await ui?.close();
    await sandbox?.close();
    await new Promise<void>((resolve) => log.end(() => resolve()));
  };
  try {
    sandbox = await startSandbox({
      logLevel: 'info',
      ...options,
      logDestination: log,
      env: { MONITOR_INTERVAL: '', ...options.env },
    });
    const url = sandbox.playground!.url;
    ui = await openIsolatedPage(url);
    const playground = new PlaygroundPage(ui.page, BOT_NAME);
    await playground.open(url);
    await playground.closeLogPanel();
    await playground.openChannel('Provisioning');
    return { sandbox, ui, playground, close };
  } catch (err) {
    await close();
    throw err;
  }
}
