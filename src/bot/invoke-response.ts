import { randomUUID } from 'node:crypto';
import type { CardActionResponse } from '../chat/chat-types';

/** What the bot needs to ask Teams for a silent sign-in on a card click. */
export interface LoginSettings {
  readonly appIdUri: string;
  readonly connectionName: string;
  readonly signInUrl: string;
}

/** The Universal Actions invoke response body for a handler's answer. */
export function universalActionBody(
  response: CardActionResponse,
  login: LoginSettings,
): Record<string, unknown> {
  switch (response.kind) {
    case 'card':
      return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: response.card };
    case 'loginRequest':
      return {
        statusCode: 401,
        type: 'application/vnd.microsoft.activity.loginRequest',
        value: {
          text: response.text,
          connectionName: login.connectionName,
          tokenExchangeResource: { id: randomUUID(), uri: login.appIdUri, providerId: '' },
          buttons: [{ title: 'Sign in', text: 'Sign in', type: 'signin', value: login.signInUrl }],
        },
      };
    case 'error':
      return {
        statusCode: response.status,
        type: 'application/vnd.microsoft.error',
        value: { code: response.code, message: response.message },
      };
  }
}
