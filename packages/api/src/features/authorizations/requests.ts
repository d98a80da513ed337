import { randomUUID } from 'node:crypto';
import type { OpenedAuthorizationRequest } from '@timbrix/shared/schemas';
import { SCOPE_DESCRIPTIONS } from '@timbrix/shared/scopes';
import { ApiError } from '../../errors/codes.js';
import { newSecret, sha256 } from '../../lib/secrets.js';
import {
  answerAt,
  type CheckedRequest,
  checkRequest,
  clientOfRequest,
  randomHandle,
  trustedApp,
} from './request-checks.js';
import type { AuthorizationRequestRepository, TakenRequest } from './request-repository.js';

/** Where the console answers a pending request: `<issuer><path>/<handle>`. */
export const CONSENT_PAGE_PATH = '/authorize';

export interface RequestSettings {
  issuer: string;
  codeTtlSeconds: number;
  requestTtlSeconds: number;
  refreshTtlSeconds: number;
}

/**
 * What an authorization request comes to: a page of the server's own, for a request that
 * cannot safely be sent back to its client (unknown client, redirect URI not the registered
 * one), or a redirect: back to the client (with a code or an error), or to the console.
 */
export type AuthorizeOutcome =
  | { kind: 'refused'; message: string }
  | { kind: 'redirect'; to: string };

/** The console session answering: the decision is bound to it. */
export interface ConsoleSession {
  userId: string;
  sessionId: string;
}

/** What an answer is bound to, without the person's choices about it. */
type Pending = Omit<CheckedRequest, 'prompt'>;

/** A stored request's row, as what an answer is bound to. */
const pendingOf = (
  row: Pick<TakenRequest, 'app_id' | 'redirect_uri' | 'scopes' | 'state' | 'code_challenge'>,
): Pending => ({
  appId: row.app_id,
  redirectUri: row.redirect_uri,
  scopes: row.scopes,
  state: row.state,
  codeChallenge: row.code_challenge,
});

const DENIALS = {
  notMember: "Only members of the app's organization may authorize it",
  refused: 'The person denied the request',
};

const GONE = () => new ApiError('AUTHORIZATION_REQUEST_GONE');

/** Where an answer goes, as a person can recognise it: the host, or an app's own scheme. */
function hostOf(redirectUri: string): string {
  const url = new URL(redirectUri);
  return url.host || url.protocol.slice(0, -1);
}

/**
 * The front channel of the authorization code grant (RFC 6749 section 4.1.1-2, RFC 9207):
 * the authorization endpoint, the console's consent screen, and the code an approval gives.
 * Nothing a request carries can send the browser anywhere but the app's registered
 * redirect URI: it is checked when the request comes and again when it is answered.
 */
export class AuthorizationRequests {
  constructor(
    private readonly repository: AuthorizationRequestRepository,
    private readonly settings: RequestSettings,
  ) {}

  /**
   * GET /authorize: checks the request, then answers it at once (a member who agreed to these
   * scopes before, or someone who may not authorize this app) or keeps it for the console.
   */
  async begin(
    query: Record<string, unknown>,
    person: ConsoleSession | null,
  ): Promise<AuthorizeOutcome> {
    const claimed = clientOfRequest(query);
    if ('refused' in claimed) return { kind: 'refused', message: claimed.refused };
    if (!claimed.clientId) return { kind: 'refused', message: 'client_id is required.' };
    const app = trustedApp(
      await this.repository.appByClientId(claimed.clientId),
      claimed.redirectUri,
    );
    if ('refused' in app) return { kind: 'refused', message: app.refused };

    // From here on the redirect URI is the app's own: errors go back to it.
    const request = checkRequest(query, app);
    if ('error' in request) {
      const to = this.errorAt(app.redirect_uri, request.state, request.error, request.description);
      return { kind: 'redirect', to };
    }
    const { prompt, ...pending } = request;
    if (person) {
      const { is_member, consented } = await this.repository.standing(
        person.userId,
        pending.appId,
        pending.scopes,
      );
      if (!is_member) return { kind: 'redirect', to: this.denied(pending, 'notMember') };
      if (consented && prompt !== 'consent') {
        const to = await this.grantCode(pending, person.userId);
        // Null: the consent went meanwhile; asking again settles it.
        if (to) return { kind: 'redirect', to };
      }
    }
    if (prompt === 'none') {
      // OpenID Connect's prompt=none: nothing may be asked, so say what would have been.
      const [error, why] = person
        ? ['consent_required', 'agreed to these scopes for this app']
        : ['login_required', 'signed in'];
      const description = `The person has not ${why}, and prompt=none forbids asking`;
      return {
        kind: 'redirect',
        to: this.errorAt(pending.redirectUri, pending.state, error, description),
      };
    }
    const handle = randomHandle();
    await this.repository.createRequest({
      ...pending,
      forceConsent: prompt === 'consent',
      id: sha256(handle),
      ttlSeconds: this.settings.requestTtlSeconds,
    });
    return { kind: 'redirect', to: `${this.settings.issuer}${CONSENT_PAGE_PATH}/${handle}` };
  }

  /**
   * The console opens a pending request for a signed-in person: what the consent screen
   * shows, with a new one-time value for the answer; or, when there is nothing to ask, where
   * the browser goes (back to the app).
   */
  async open(handle: string, session: ConsoleSession): Promise<OpenedAuthorizationRequest> {
    const decisionToken = randomHandle();
    const id = sha256(handle);
    const request = await this.repository.openRequest(id, session, sha256(decisionToken));
    const take = () => this.repository.takeRequest(id, session.sessionId, sha256(decisionToken));
    if (!request?.app_stands) {
      if (request) await take();
      throw GONE();
    }
    const pending = pendingOf(request);
    if (!request.is_member || (request.consented && !request.force_consent)) {
      // Nothing to ask: the request is answered now, once.
      if (!(await take())) throw GONE();
      const to = request.is_member
        ? await this.grantCode(pending, session.userId)
        : this.denied(pending, 'notMember');
      if (!to) throw GONE();
      return { status: 'redirect', redirectTo: to };
    }
    return {
      status: 'consent',
      app: {
        clientId: request.client_id,
        name: request.app_name,
        description: request.app_description,
      },
      organization: { id: request.organization_id, name: request.organization_name },
      redirectHost: hostOf(request.redirect_uri),
      scopes: request.scopes.map((scope) => ({ scope, description: SCOPE_DESCRIPTIONS[scope] })),
      decisionToken,
    };
  }

  /**
   * The person's answer, once: only from the console session that opened the request, with
   * the one-time value it was given. Where the browser goes next (back to the app).
   */
  async decide(
    handle: string,
    session: ConsoleSession,
    decisionToken: string,
    approve: boolean,
  ): Promise<string> {
    const taken = await this.repository.takeRequest(
      sha256(handle),
      session.sessionId,
      sha256(decisionToken),
    );
    if (!taken?.app_stands) throw GONE();
    const pending = pendingOf(taken);
    if (!approve) return this.denied(pending, 'refused');
    const to = await this.grantCode(pending, session.userId, { remember: true });
    if (!to) throw GONE();
    return to;
  }

  /**
   * Stores an authorization and its code (and, when the person has just agreed, their
   * consent); the app's answer URL, or null if it cannot stand.
   */
  private async grantCode(
    pending: Pending,
    userId: string,
    { remember = false } = {},
  ): Promise<string | null> {
    const code = newSecret('authorizationCode');
    const stored = await this.repository.authorize(
      {
        id: randomUUID(),
        appId: pending.appId,
        userId,
        scopes: pending.scopes,
        redirectUri: pending.redirectUri,
        codeHash: sha256(code),
        codeChallenge: pending.codeChallenge,
        codeTtlSeconds: this.settings.codeTtlSeconds,
        refreshTtlSeconds: this.settings.refreshTtlSeconds,
      },
      remember,
    );
    if (!stored) return null;
    return answerAt(pending.redirectUri, { code, state: pending.state, iss: this.settings.issuer });
  }

  private denied(pending: Pending, why: keyof typeof DENIALS): string {
    return this.errorAt(pending.redirectUri, pending.state, 'access_denied', DENIALS[why]);
  }

  /** RFC 6749 section 4.1.2.1's error response, with RFC 9207's `iss`. */
  private errorAt(redirectUri: string, state: string | null, error: string, description: string) {
    return answerAt(redirectUri, {
      error,
      error_description: description,
      state,
      iss: this.settings.issuer,
    });
  }
}
