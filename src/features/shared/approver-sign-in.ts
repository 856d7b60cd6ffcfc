import { OboError } from '../../infra/auth/on-behalf-of';
import { SsoTokenError, type VerifiedUser } from '../../infra/auth/sso-token-validator';
import type { IssuedToken } from './delegated-token';
import { TokenServiceUnavailable, type CardActionResponse, type CardActionTurn } from './turns';
import { type Actor } from '../../domain/conversation';
import type { Logger } from '../../infra/logger';
import {
  interactiveSignInNeeded,
  oboRefusal,
  signInText,
  tokenRefusal,
  tokenServiceRefusal,
  type OboStep,
} from './obo-refusal';

/** Validates a user token that came with a click, or from a sign-in, against the person who clicked. */
export interface TokenValidator {
  validate(token: string, expectedOid: string | undefined): Promise<VerifiedUser>;
}

/** Everything signing an approver in depends on; app.ts wires the real ones. */
export interface ApproverSignInDeps {
  readonly validator: TokenValidator;
  /** On-behalf-of exchange of the approver's token, in their tenant, for a Graph token. */
  readonly exchange: (tenantId: string, assertion: string) => Promise<IssuedToken>;
  /** Entra's admin-consent page for the app in a tenant, shown when consent is missing. */
  readonly adminConsentUrl: (tenantId: string) => string;
  readonly logger: Logger;
  /**
   * Local sandbox only: where an approver's token comes from when the client does no SSO. The token is
   * still validated and exchanged on-behalf-of like one from Teams.
   */
  readonly sandboxSsoToken?: (from: Actor) => Promise<string | undefined>;
}

/** How signing the clicker in ended. */
export type SignInResult =
  /** Proven and exchanged: `ssoToken` is the token the Graph token came from, for later exchanges. */
  | {
      readonly kind: 'signedIn';
      readonly user: VerifiedUser;
      readonly ssoToken: string;
      readonly issued: IssuedToken;
    }
  /** Teams must sign the clicker in first (loginRequest or 412): answer the click with this as it is. */
  | { readonly kind: 'answer'; readonly response: CardActionResponse }
  /** Refused: the caller shows this on the clicked card; nothing ran. */
  | { readonly kind: 'refused'; readonly notice: string };

/**
 * The one sign-in of an approver, for Approve and for Resume: takes the SSO token Teams sent (the silent
 * path), or redeems the magic code of a sign-in through the OAuth connection, checks that the token is the
 * clicker's, and exchanges it on-behalf-of them for Graph. When the silent path cannot produce a Graph token
 * because Entra wants the approver to interact (consent, MFA, Conditional Access), it answers 412 so Teams
 * shows its sign-in button; after that sign-in, or where there is no token service, it says on the card who
 * must do what.
 */
export class ApproverSignIn {
  constructor(private readonly deps: ApproverSignInDeps) {}

  async signIn(turn: CardActionTurn, step: OboStep): Promise<SignInResult> {
    const log = this.deps.logger.child({ correlationId: turn.correlationId });
    const service = turn.tokenService;
    let token: string | undefined;
    const interactive = Boolean(turn.magicCode && service);
    if (turn.magicCode && service) {
      try {
        token = await service.redeem(turn.magicCode);
      } catch (err) {
        if (!(err instanceof TokenServiceUnavailable)) throw err;
        log.warn({ reason: err.reason }, 'token service unreachable: magic code not redeemed');
        return { kind: 'refused', notice: tokenServiceRefusal(step) };
      }
      if (!token) {
        log.warn('the token service has no token for this clicker and code');
        return answer({
          kind: 'signInRequired',
          message: 'That sign-in could not be confirmed for you. Sign in again; nothing was run.',
        });
      }
    } else {
      token = turn.ssoToken ?? (await this.deps.sandboxSsoToken?.(turn.from));
    }
    if (!token) return this.loginRequest(turn, step, false);

    let user: VerifiedUser;
    try {
      user = await this.deps.validator.validate(token, turn.from.aadObjectId);
    } catch (err) {
      if (!(err instanceof SsoTokenError)) throw err;
      log.warn({ reason: err.reason, interactive }, 'sso token refused');
      if (/expired/.test(err.reason)) return this.loginRequest(turn, step, true);
      return { kind: 'refused', notice: tokenRefusal(err.reason, step) };
    }

    try {
      const issued = await this.deps.exchange(user.tenantId, token);
      return { kind: 'signedIn', user, ssoToken: token, issued };
    } catch (err) {
      if (!(err instanceof OboError)) throw err;
      log.warn({ kind: err.kind, aadsts: err.aadsts, interactive }, 'on-behalf-of exchange failed');
      if (err.kind === 'expired') return this.loginRequest(turn, step, true);
      const mustInteract = err.kind === 'consent_required' || err.kind === 'interaction_required';
      if (mustInteract && service && !interactive) {
        return answer({ kind: 'signInRequired', message: interactiveSignInNeeded(err) });
      }
      return { kind: 'refused', notice: oboRefusal(err, step, this.deps.adminConsentUrl(user.tenantId)) };
    }
  }

  /** Asks Teams to sign the clicker in, with the OAuth connection's sign-in link where there is a token service. */
  private async loginRequest(turn: CardActionTurn, step: OboStep, expired: boolean): Promise<SignInResult> {
    let signInLink: string | undefined;
    try {
      signInLink = await turn.tokenService?.signInLink();
    } catch (err) {
      if (!(err instanceof TokenServiceUnavailable)) throw err;
      this.deps.logger.warn(
        { correlationId: turn.correlationId, reason: err.reason },
        'token service unreachable: no sign-in link',
      );
      return { kind: 'refused', notice: tokenServiceRefusal(step) };
    }
    return answer({ kind: 'loginRequest', text: signInText(step, expired), signInLink });
  }
}

function answer(response: CardActionResponse): SignInResult {
  return { kind: 'answer', response };
}
