import type { Activity } from 'botbuilder';
import type { InstallationEvent } from '../features/notify/installation-tracker';
import { addressOf } from './activity-mapping';

interface TeamsChannelData {
  eventType?: unknown;
  team?: { id?: unknown };
  channel?: { id?: unknown };
}

/**
 * Reads installationUpdate (add, add-upgrade, remove, remove-upgrade) and conversationUpdate (the bot added
 * or removed; channelData.eventType teamDeleted, teamHardDeleted, channelDeleted, and their way back:
 * teamRestored, teamUnarchived, channelRestored, as Teams' "Conversation events" page and botbuilder's
 * TeamsActivityHandler spell them) into domain events; anything else yields none.
 */
export function toInstallationEvents(activity: Activity): InstallationEvent[] {
  const address = addressOf(activity);
  const channelData = (activity.channelData ?? {}) as TeamsChannelData;
  if (activity.type === 'installationUpdate') {
    const action = typeof activity.action === 'string' ? activity.action.toLowerCase() : '';
    if (action === 'add' || action === 'add-upgrade') return [{ kind: 'installed', address }];
    if (action === 'remove' || action === 'remove-upgrade') return [{ kind: 'uninstalled', address }];
    return [];
  }
  if (activity.type !== 'conversationUpdate') return [];
  const events: InstallationEvent[] = [];
  const botId = activity.recipient?.id;
  const isBot = (members: Activity['membersAdded']) => !!botId && (members ?? []).some((m) => m.id === botId);
  if (isBot(activity.membersAdded)) events.push({ kind: 'installed', address });
  if (isBot(activity.membersRemoved)) events.push({ kind: 'uninstalled', address });
  const eventType = typeof channelData.eventType === 'string' ? channelData.eventType : '';
  const teamId = typeof channelData.team?.id === 'string' ? channelData.team.id : undefined;
  const channelId = typeof channelData.channel?.id === 'string' ? channelData.channel.id : undefined;
  if ((eventType === 'teamDeleted' || eventType === 'teamHardDeleted') && teamId) {
    events.push({ kind: 'teamDeleted', teamId, hard: eventType === 'teamHardDeleted' });
  }
  if ((eventType === 'teamRestored' || eventType === 'teamUnarchived') && teamId) {
    events.push({ kind: 'teamRestored', teamId, address, eventType });
  }
  if (eventType === 'channelDeleted' && channelId) events.push({ kind: 'channelDeleted', channelId });
  if (eventType === 'channelRestored' && channelId) events.push({ kind: 'channelRestored', channelId });
  return events;
}
