import type { ConversationAddress } from '../../src/domain/conversation';

/** A Teams channel conversation as the domain stores it, with the test tenant's values, for unit tests. */
export function channelAddress(
  conversationId = '19:home@thread.tacv2;messageid=1',
  tenantId = 't',
): ConversationAddress {
  return {
    serviceUrl: 'https://smba.example',
    channelId: 'msteams',
    conversationId,
    conversationType: 'channel',
    tenantId,
    botId: '28:bot',
    botName: 'Bot',
  };
}
