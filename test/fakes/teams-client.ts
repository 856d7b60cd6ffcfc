import { sendHttp, tryParseJson } from './fake-http';
import { isObject } from './jwt';

/** Options for {@link TeamsClient}. */
export interface TeamsClientOptions {
  /** Bot base URL (http://127.0.0.1:port); '/api/messages' is appended unless the URL already has a path. */
  botUrl: string;
  /** The FakeConnector URL, stamped into every activity as serviceUrl. */
  serviceUrl: string;
  /** Bot app id (without the '28:' prefix). */
  botId: string;
  botName: string;
  tenantId: string;
  /** Channel thread id, default '19:fakechannel@thread.tacv2'. */
  channelId?: string;
  /** Team thread id (the General channel id), default '19:faketeam@thread.tacv2'. */
  teamId?: string;
  teamName?: string;
  channelName?: string;
  /** Authorization header for every post, e.g. a Bot Framework token minted by the test. */
  authorization?: string | (() => string | Promise<string>);
  /** Clock for timestamps (epoch ms); default Date.now. */
  now?: () => number;
}

/** A Teams user as it appears in `from`. */
export interface TeamsUser {
  /** '29:…' id; derived from aadObjectId when omitted. */
  id?: string;
  name: string;
  aadObjectId: string;
}

/** The '29:…' Teams user id a client sends in `from` for this user. */
export function teamsUserId(user: TeamsUser): string {
  return user.id ?? `29:1${user.aadObjectId.replace(/-/g, '')}`;
}

/** Conversation flavours Teams delivers to bots. */
export type TeamsConversationType = 'channel' | 'groupChat' | 'personal';

/** Options for {@link TeamsClient.message}. */
export interface TeamsMessageOptions {
  from: TeamsUser;
  /** Text after the mention, e.g. 'retry-provisioning alice@contoso.com'. */
  text: string;
  /** Name written inside <at>…</at> (default the bot name). */
  mentionText?: string;
  conversationType?: TeamsConversationType;
  /** For channel replies: the root post id (conversation id gets ';messageid=<root>'). */
  threadRootId?: string;
  /** Replace the computed entities. */
  entitiesOverride?: unknown[];
  /** Replace the computed text verbatim. */
  rawText?: string;
  /** Override the conversation id (e.g. an existing personal chat). */
  conversationId?: string;
  locale?: string;
}

/** Options for {@link TeamsClient.invoke}. */
export interface TeamsInvokeOptions {
  from: TeamsUser;
  conversationId: string;
  /** Id of the card message the button sits on. */
  replyToId: string;
  verb?: string;
  data: object;
  /** SSO token, sent as value.authentication.token (Teams does this after a 401 loginRequest). */
  token?: string;
  /** Magic code, sent as value.state (Teams does this after the user signed in with the sign-in button). */
  state?: string;
  /** Action.Execute trigger, default 'manual'. */
  trigger?: 'manual' | 'automatic';
  actionId?: string;
  conversationType?: TeamsConversationType;
}

/** Options for {@link TeamsClient.installationUpdate}. */
export interface TeamsInstallationOptions {
  action: 'add' | 'add-upgrade' | 'remove' | 'remove-upgrade';
  from: TeamsUser;
  /** Default 'channel' (installed in a team: the conversation is the team's General channel). */
  conversationType?: TeamsConversationType;
  conversationId?: string;
}

/** Options for {@link TeamsClient.conversationUpdate}. */
export interface TeamsConversationUpdateOptions {
  from: TeamsUser;
  conversationType?: TeamsConversationType;
  conversationId?: string;
  /** The bot itself in membersAdded / membersRemoved. */
  botAdded?: boolean;
  botRemoved?: boolean;
  /** Teams' channelData.eventType, e.g. 'teamDeleted', 'teamHardDeleted', 'channelDeleted'. */
  eventType?: string;
  /** channelData.channel.id (for channel events); default the client's channel. */
  channelId?: string;
}

/** What the bot answered. */
export interface TeamsPostResult {
  status: number;
  /** Parsed JSON, raw text when not JSON, undefined when empty. */
  body: unknown;
  /** The activity that was posted. */
  activity: Record<string, unknown>;
}

let counter = 0;

/** Deterministic, process-unique ids: tests can correlate messages without random values. */
function nextCounter(): number {
  counter += 1;
  return counter;
}

/**
 * Builds activities the way Teams sends them (mentions, channelData, invoke shapes) and posts them to the bot,
 * so integration tests exercise the bot's real HTTP entry point.
 */
export class TeamsClient {
  private readonly endpoint: string;
  private readonly channelId: string;
  private readonly teamId: string;
  private readonly now: () => number;

  constructor(private readonly opts: TeamsClientOptions) {
    const u = new URL(opts.botUrl);
    this.endpoint = u.pathname === '/' ? new URL('/api/messages', u).toString() : u.toString();
    this.channelId = opts.channelId ?? '19:fakechannel@thread.tacv2';
    this.teamId = opts.teamId ?? '19:faketeam@thread.tacv2';
    this.now = opts.now ?? Date.now;
  }

  /** The '28:' id Teams uses for the bot. */
  get botAccountId(): string {
    return `28:${this.opts.botId}`;
  }

  /** A fresh activity id (numeric string, like Teams message ids). */
  nextActivityId(): string {
    return String(1_700_000_000_000 + nextCounter());
  }

  /** Conversation id of a channel thread rooted at `rootId`. */
  channelConversationId(rootId: string): string {
    return `${this.channelId};messageid=${rootId}`;
  }

  /** Builds (without posting) a message activity. */
  buildMessage(o: TeamsMessageOptions): Record<string, unknown> {
    const id = this.nextActivityId();
    const type = o.conversationType ?? 'channel';
    const mentionName = o.mentionText ?? this.opts.botName;
    const atTag = `<at>${escapeHtml(mentionName)}</at>`;
    const mentions = type !== 'personal' || o.mentionText !== undefined;
    const text = o.rawText ?? (mentions ? `${atTag} ${o.text}` : o.text);
    const entities = o.entitiesOverride ?? [
      ...(mentions
        ? [{ type: 'mention', text: atTag, mentioned: { id: this.botAccountId, name: this.opts.botName } }]
        : []),
      this.clientInfo(o.locale),
    ];
    const conversationId =
      o.conversationId ??
      (type === 'channel'
        ? this.channelConversationId(o.threadRootId ?? id)
        : type === 'groupChat'
          ? '19:fakegroupchat@thread.v2'
          : `a:fake-personal-${o.from.aadObjectId}`);
    return {
      ...this.envelope('message', id, o.from, conversationId, type, o.locale),
      textFormat: 'plain',
      text,
      attachments: [
        {
          contentType: 'text/html',
          content: `<div><div>${mentions ? `${atTag} ` : ''}${escapeHtml(o.text)}</div></div>`,
        },
      ],
      entities,
      channelData: this.channelData(type),
    };
  }

  /** Posts a user message (with an @mention of the bot outside personal chats). */
  async message(o: TeamsMessageOptions): Promise<TeamsPostResult> {
    return this.post(this.buildMessage(o));
  }

  /** Builds (without posting) an Adaptive Card Universal Action invoke. */
  buildInvoke(o: TeamsInvokeOptions): Record<string, unknown> {
    const id = `f:invoke-${nextCounter()}`;
    const type = o.conversationType ?? conversationTypeOf(o.conversationId);
    const value: Record<string, unknown> = {
      action: {
        type: 'Action.Execute',
        id: o.actionId ?? `action-${nextCounter()}`,
        verb: o.verb ?? 'ignored',
        data: o.data,
      },
      trigger: o.trigger ?? 'manual',
    };
    if (o.token !== undefined)
      value['authentication'] = { id: `sso-${nextCounter()}`, connectionName: '', token: o.token };
    if (o.state !== undefined) value['state'] = o.state;
    return {
      ...this.envelope('invoke', id, o.from, o.conversationId, type),
      name: 'adaptiveCard/action',
      entities: [this.clientInfo()],
      channelData: {
        ...this.channelData(type),
        source: { name: 'message' },
        legacy: { replyToId: o.replyToId },
      },
      replyToId: o.replyToId,
      value,
    };
  }

  /** Posts an `adaptiveCard/action` invoke; `body` is the invoke response ({statusCode, type, value}). */
  async invoke(o: TeamsInvokeOptions): Promise<TeamsPostResult> {
    return this.post(this.buildInvoke(o));
  }

  /** Builds (without posting) an installationUpdate, as Teams sends when the app is added or removed. */
  buildInstallationUpdate(o: TeamsInstallationOptions): Record<string, unknown> {
    const type = o.conversationType ?? 'channel';
    const conversationId = o.conversationId ?? this.defaultConversationId(type, o.from);
    return {
      ...this.envelope('installationUpdate', `f:install-${nextCounter()}`, o.from, conversationId, type),
      action: o.action,
      channelData: this.lifecycleChannelData(type),
    };
  }

  /** Posts an installationUpdate (add, add-upgrade, remove, remove-upgrade). */
  async installationUpdate(o: TeamsInstallationOptions): Promise<TeamsPostResult> {
    return this.post(this.buildInstallationUpdate(o));
  }

  /** Builds (without posting) a conversationUpdate: the bot added or removed, or a team or channel event. */
  buildConversationUpdate(o: TeamsConversationUpdateOptions): Record<string, unknown> {
    const type = o.conversationType ?? 'channel';
    const conversationId = o.conversationId ?? this.defaultConversationId(type, o.from);
    const bot = [{ id: this.botAccountId, name: this.opts.botName }];
    const channelData = this.lifecycleChannelData(type);
    if (o.eventType !== undefined) channelData['eventType'] = o.eventType;
    if (o.eventType?.startsWith('channel')) channelData['channel'] = { id: o.channelId ?? this.channelId };
    return {
      ...this.envelope('conversationUpdate', `f:update-${nextCounter()}`, o.from, conversationId, type),
      ...(o.botAdded ? { membersAdded: bot } : {}),
      ...(o.botRemoved ? { membersRemoved: bot } : {}),
      channelData,
    };
  }

  /** Posts a conversationUpdate. */
  async conversationUpdate(o: TeamsConversationUpdateOptions): Promise<TeamsPostResult> {
    return this.post(this.buildConversationUpdate(o));
  }

  /** The team id (its General channel's thread id). */
  get team(): string {
    return this.teamId;
  }

  /** The channel messages are posted in by default. */
  get channel(): string {
    return this.channelId;
  }

  /** Posts any payload (hostile or malformed ones included); `authorization` overrides the default header. */
  async raw(activity: unknown, authorization?: string): Promise<TeamsPostResult> {
    const body = typeof activity === 'string' ? activity : JSON.stringify(activity);
    const res = await sendHttp(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await this.authHeader(authorization)) },
      body,
    });
    return {
      status: res.status,
      body: res.text === '' ? undefined : (tryParseJson(res.text) ?? res.text),
      activity: isObject(activity) ? activity : {},
    };
  }

  private post(activity: Record<string, unknown>): Promise<TeamsPostResult> {
    return this.raw(activity);
  }

  private async authHeader(override: string | undefined): Promise<Record<string, string>> {
    const source = override ?? this.opts.authorization;
    if (source === undefined) return {};
    const value = typeof source === 'function' ? await source() : source;
    return { authorization: value };
  }

  private envelope(
    type: string,
    id: string,
    from: TeamsUser,
    conversationId: string,
    conversationType: TeamsConversationType,
    locale = 'en-US',
  ): Record<string, unknown> {
    const ts = new Date(this.now());
    const conversation: Record<string, unknown> = {
      conversationType,
      tenantId: this.opts.tenantId,
      id: conversationId,
    };
    if (conversationType !== 'personal') conversation['isGroup'] = true;
    return {
      type,
      id,
      timestamp: ts.toISOString(),
      localTimestamp: ts.toISOString().replace('Z', '+00:00'),
      localTimezone: 'Etc/UTC',
      serviceUrl: this.opts.serviceUrl,
      channelId: 'msteams',
      from: {
        id: teamsUserId(from),
        name: from.name,
        aadObjectId: from.aadObjectId,
      },
      conversation,
      recipient: { id: this.botAccountId, name: this.opts.botName },
      locale,
    };
  }

  private channelData(type: TeamsConversationType): Record<string, unknown> {
    const tenant = { id: this.opts.tenantId };
    if (type !== 'channel') return { tenant };
    const team: Record<string, unknown> = { id: this.teamId };
    if (this.opts.teamName !== undefined) team['name'] = this.opts.teamName;
    const channel: Record<string, unknown> = { id: this.channelId };
    if (this.opts.channelName !== undefined) channel['name'] = this.opts.channelName;
    return { teamsChannelId: this.channelId, teamsTeamId: this.teamId, channel, team, tenant };
  }

  private defaultConversationId(type: TeamsConversationType, from: TeamsUser): string {
    if (type === 'channel') return this.teamId;
    if (type === 'groupChat') return '19:fakegroupchat@thread.v2';
    return `a:fake-personal-${from.aadObjectId}`;
  }

  /** channelData of install and lifecycle events: in a team, the team and its General channel. */
  private lifecycleChannelData(type: TeamsConversationType): Record<string, unknown> {
    const tenant = { id: this.opts.tenantId };
    if (type !== 'channel') return { tenant };
    const team: Record<string, unknown> = {
      id: this.teamId,
      aadGroupId: '70000000-0000-4000-8000-0000000000aa',
    };
    if (this.opts.teamName !== undefined) team['name'] = this.opts.teamName;
    return { tenant, team, settings: { selectedChannel: { id: this.teamId } } };
  }

  private clientInfo(locale = 'en-US'): Record<string, unknown> {
    return { type: 'clientInfo', locale, country: 'US', platform: 'Web', timezone: 'Etc/UTC' };
  }
}

function conversationTypeOf(conversationId: string): TeamsConversationType {
  if (conversationId.includes('@thread.tacv2') || conversationId.includes('@thread.skype')) return 'channel';
  if (conversationId.startsWith('19:')) return 'groupChat';
  return 'personal';
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
