import { sameConversation } from '../../src/domain/conversation';

const CHANNEL = '19:ops@thread.tacv2';
const OTHER_CHANNEL = '19:sales@thread.tacv2';
const GROUP_CHAT = '19:meeting_abc@thread.v2';
const PERSONAL = 'a:1personal-ada';

describe('sameConversation', () => {
  it.each<[string, string, string, boolean]>([
    ['one thread', `${CHANNEL};messageid=1`, `${CHANNEL};messageid=1`, true],
    ['the channel and a thread in it', CHANNEL, `${CHANNEL};messageid=1700000000001`, true],
    ['two threads of one channel', `${CHANNEL};messageid=1`, `${CHANNEL};messageid=2`, true],
    ['two channels', CHANNEL, OTHER_CHANNEL, false],
    ['threads of two channels', `${CHANNEL};messageid=1`, `${OTHER_CHANNEL};messageid=1`, false],
    ['a channel and an id it is the start of', CHANNEL, `${CHANNEL}x`, false],
    ['one group chat', GROUP_CHAT, GROUP_CHAT, true],
    ['a group chat and a channel', GROUP_CHAT, CHANNEL, false],
    ['one personal chat', PERSONAL, PERSONAL, true],
    ['two personal chats', PERSONAL, 'a:1personal-bob', false],
    ['ids that differ in case only', CHANNEL, CHANNEL.toUpperCase(), false],
  ])('%s (%s vs %s): %s', (_name, a, b, expected) => {
    expect(sameConversation({ conversationId: a }, { conversationId: b })).toBe(expected);
    expect(sameConversation({ conversationId: b }, { conversationId: a })).toBe(expected);
  });
});
