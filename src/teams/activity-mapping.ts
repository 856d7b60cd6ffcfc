import type { Activity, TurnContext } from 'botbuilder';
import type { CardActionTurn, CommandTurn, TokenService } from '../features/shared/turns';
import type { Actor, ConversationAddress, Origin } from '../domain/conversation';

/** The tenant an activity comes from, wherever Teams put it. */
export function tenantOf(activity: Activity): string | undefined {
  const channelData = activity.channelData as { tenant?: { id?: string } } | undefined;
  return (activity.conversation?.tenantId ?? channelData?.tenant?.id)?.toLowerCase();
}

function actorOf(activity: Activity): Actor {
  return {
    id: activity.from?.id ?? '',
    aadObjectId: activity.from?.aadObjectId,
    name: activity.from?.name ?? 'someone',
  };
}

/** Tenant, team and channel of an activity, for the approval policy's scope. */
export function originOf(activity: Activity): Origin {
  const channelData = activity.channelData as
    { team?: { id?: string }; channel?: { id?: string } } | undefined;
  return { tenantId: tenantOf(activity), teamId: channelData?.team?.id, channelId: channelData?.channel?.id };
}

/** Captures where to send later messages, as plain JSON the domain can store. */
export function addressOf(activity: Activity): ConversationAddress {
  return {
    serviceUrl: activity.serviceUrl,
    channelId: activity.channelId,
    conversationId: activity.conversation?.id ?? '',
    conversationType: activity.conversation?.conversationType,
    tenantId: tenantOf(activity),
    botId: activity.recipient?.id ?? '',
    botName: activity.recipient?.name,
    ...(teamOf(activity) ? { teamId: teamOf(activity) } : {}),
  };
}

/** The team of a channel activity (the General channel's thread id), when Teams says. */
export function teamOf(activity: Activity): string | undefined {
  const channelData = activity.channelData as { team?: { id?: unknown } } | undefined;
  return typeof channelData?.team?.id === 'string' ? channelData.team.id : undefined;
}

/** A message activity as the command handler sees it. */
export function toCommandTurn(context: TurnContext, correlationId: string): CommandTurn {
  const a = context.activity;
  const mentions = (a.entities ?? [])
    .filter((e) => e.type === 'mention')
    .map((e) => {
      const m = e as { text?: unknown; mentioned?: { id?: unknown; name?: unknown } };
      return {
        text: typeof m.text === 'string' ? m.text : '',
        mentionedId: typeof m.mentioned?.id === 'string' ? m.mentioned.id : '',
        mentionedName: typeof m.mentioned?.name === 'string' ? m.mentioned.name : '',
      };
    });
  return {
    rawText: typeof a.text === 'string' ? a.text : '',
    mentions,
    botId: a.recipient?.id ?? '',
    from: actorOf(a),
    address: addressOf(a),
    origin: originOf(a),
    correlationId,
  };
}

interface InvokeValue {
  action?: { verb?: unknown; data?: unknown };
  authentication?: { token?: unknown };
  state?: unknown;
}

/** Longer than any magic code; a longer value.state is not one and is not passed on. */
const MAX_MAGIC_CODE = 64;

/**
 * An adaptiveCard/action invoke as the approval handler sees it; any shape of value is tolerated. Teams puts
 * the SSO token in value.authentication.token and, after a sign-in through the OAuth connection, the magic
 * code in value.state.
 */
export function toCardActionTurn(
  context: TurnContext,
  correlationId: string,
  tokenService?: TokenService,
): CardActionTurn {
  const a = context.activity;
  const value = (a.value && typeof a.value === 'object' ? a.value : {}) as InvokeValue;
  const action = value.action && typeof value.action === 'object' ? value.action : {};
  const token = value.authentication?.token;
  const state = typeof value.state === 'string' ? value.state.trim() : '';
  return {
    verb: typeof action.verb === 'string' ? action.verb : undefined,
    data: action.data,
    ssoToken: typeof token === 'string' && token.length > 0 ? token : undefined,
    ...(state && state.length <= MAX_MAGIC_CODE ? { magicCode: state } : {}),
    ...(tokenService ? { tokenService } : {}),
    from: actorOf(a),
    address: addressOf(a),
    cardActivityId: a.replyToId,
    origin: originOf(a),
    correlationId,
  };
}
