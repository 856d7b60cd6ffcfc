import { randomUUID } from 'node:crypto';
import type { CardActionResponse } from '../features/shared/turns';

/** What every loginRequest names: the OAuth connection, the SSO resource, and local mode's sign-in link. */
export interface LoginSettings {
  readonly appIdUri: string;
  readonly connectionName: string;
  /** The button's link when the answer brings none from the token service (local mode has no token service). */
  readonly fallbackSignInUrl: string;
}

/** The answer to a click whose handler threw: a 500 error Teams understands, not botbuilder's empty 501. */
export function failedBody(correlationId: string): Record<string, unknown> {
  return errorBody(
    500,
    'InternalError',
    'The bot hit an unexpected error answering this click. Refresh the card to see where things stand; if it keeps happening, tell your admin',
    correlationId,
  );
}

/**
 * The Universal Actions invoke response body for a handler's answer, always one of the forms Teams documents
 * (Adaptive Cards universal action model, "Response format"): 200 with a card, 200 with a message, 401
 * loginRequest, 412 preconditionFailed, or application/vnd.microsoft.error with 400 or 500. A refusal (403)
 * or something unknown (404) has no form of its own there, so it becomes a message the client shows while
 * the card stays as it was.
 */
export function universalActionBody(
  response: CardActionResponse,
  login: LoginSettings,
  correlationId: string,
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
          buttons: [
            {
              title: 'Sign in',
              text: 'Sign in',
              type: 'signin',
              value: response.signInLink ?? login.fallbackSignInUrl,
            },
          ],
        },
      };
    case 'signInRequired':
      return {
        statusCode: 412,
        type: 'application/vnd.microsoft.error.preconditionFailed',
        value: { code: '412', message: withCorrelation(response.message, correlationId) },
      };
    case 'error':
      if (response.status === 403 || response.status === 404) {
        return {
          statusCode: 200,
          type: 'application/vnd.microsoft.activity.message',
          value: withCorrelation(response.message, correlationId),
        };
      }
      return errorBody(response.status, response.code, response.message, correlationId);
  }
}

function errorBody(
  status: 400 | 500,
  code: string,
  message: string,
  correlationId: string,
): Record<string, unknown> {
  return {
    statusCode: status,
    type: 'application/vnd.microsoft.error',
    value: { code, message: withCorrelation(message, correlationId) },
  };
}

function withCorrelation(message: string, correlationId: string): string {
  return `${message} (correlation id ${correlationId})`;
}
