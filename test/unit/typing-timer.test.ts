import { Application, TeamsAdapter } from '@microsoft/teams-ai';
import { ActivityTypes, TestAdapter, TurnContext, type Activity } from 'botbuilder';

import { createApplication } from '../../src/teams/teams-bot';

/**
 * Runs one message turn whose reply is held (as the send limiter holds a reply until its conversation's
 * window has room) while three seconds of timer time pass, and returns the types of what the turn sent.
 */
async function sentWhileReplyWaits(app: Application): Promise<string[]> {
  const sent: string[] = [];
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  app.activity(ActivityTypes.Message, async (context) => {
    await held;
    await context.sendActivity('done');
  });
  const activity: Partial<Activity> = {
    type: ActivityTypes.Message,
    text: 'status abc',
    channelId: 'msteams',
    serviceUrl: 'https://smba.invalid/',
    from: { id: '29:user', name: 'User' },
    recipient: { id: '28:bot', name: 'Bot' },
    conversation: { id: '19:channel@thread.tacv2', isGroup: true, conversationType: 'channel', name: '' },
  };
  const context = new TurnContext(new TestAdapter(), activity);
  context.onSendActivities(async (_ctx, activities, next) => {
    sent.push(...activities.map((a) => String(a.type)));
    return next();
  });
  const run = app.run(context);
  await jest.advanceTimersByTimeAsync(3_000);
  release();
  await run;
  return sent;
}

describe('the bot sends no typing indicator', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('while a reply waits for its rate-limit window, nothing but the reply is sent', async () => {
    expect(await sentWhileReplyWaits(createApplication(new TeamsAdapter(), ''))).toEqual(['message']);
  });

  it('(teams-ai 1.7 itself starts the timer even with startTypingTimer: false)', async () => {
    const plain = new Application({ adapter: new TeamsAdapter(), startTypingTimer: false });
    expect(await sentWhileReplyWaits(plain)).toContain('typing');
  });
});
