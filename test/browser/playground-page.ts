import type { Locator, Page } from 'playwright-core';

/**
 * The Agents Playground's web client as a person uses it: pick a channel, @mention the bot through the
 * mention picker, post, and read the thread. Locators only, so every wait is Playwright's auto-waiting.
 */
export class PlaygroundPage {
  constructor(
    readonly page: Page,
    private readonly botName: string,
  ) {}

  /** Loads the client and waits until it has connected to the bot. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.getByText('Teams Channel').waitFor();
  }

  /** Hides the log panel so screenshots show the conversation at full width. */
  async closeLogPanel(): Promise<void> {
    const panel = this.page.getByText('Log Panel');
    if (await panel.isVisible()) {
      await panel.locator('xpath=..').getByRole('button').last().click();
      await panel.waitFor({ state: 'hidden' });
    }
  }

  /** Opens a channel of the configured team from the left rail. */
  async openChannel(name: string): Promise<void> {
    await this.page.getByText(name, { exact: true }).click();
    await this.page.getByText('Start a new post').waitFor();
  }

  /**
   * Starts a new post that @mentions the bot (picked from the mention menu, as Teams users do). The text is
   * typed into the new-post editor itself, not wherever the focus is, and checked before posting: a card's
   * input (a confirmation's Reason) must not take it.
   */
  async mentionBot(text: string): Promise<Locator> {
    const editor = this.page.getByRole('textbox').first();
    await editor.click();
    await editor.pressSequentially(`@${this.botName.slice(0, 4)}`);
    await this.page.getByRole('menuitem', { name: this.botName }).click();
    await editor.pressSequentially(` ${text}`);
    const written = (await editor.innerText()).replace(/\s+/g, ' ').trim();
    if (written !== `${this.botName} ${text}`) {
      throw new Error(`The new post reads "${written}" instead of "@${this.botName} ${text}".`);
    }
    await this.page.getByRole('button', { name: 'Post', exact: true }).click();
    return this.thread(text);
  }

  /** The thread (post and replies) whose first message contains `text`. */
  thread(text: string): Locator {
    return this.page
      .getByRole('group')
      .filter({ has: this.page.getByText(`${this.botName} ${text}`, { exact: true }) })
      .first();
  }
}
