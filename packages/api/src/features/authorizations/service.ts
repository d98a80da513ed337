import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { OpenedAuthorizationRequest } from '@timbrix/shared/schemas';
import { SCOPE_DESCRIPTIONS, SCOPES, type Scope } from '@timbrix/shared/scopes';
import { ApiError } from '../../errors/codes.js';
import { mayBeSecret, newSecret, sha256 } from '../../lib/secrets.js';
import type { Logger } from '../../logger.js';
import type { AccessTokens, IssuedToken } from '../access-tokens/service.js';
import type { AuthenticatedClient } from '../oauth-apps/client-auth.js';
import type { AuthorizationRepository, Grantee } from './repository.js';

/** Where the console answers a pending request: `<issuer><path>/<handle>`. */
export const CONSENT_PAGE_PATH = '/authorize';

/** RFC 7636 section 4.1: 43-128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** RFC 7636 section 4.2: BASE64URL(SHA256(verifier)), unpadded. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export interface AuthorizationSettings {
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

/** A parameter sent more than once, or not as text: RFC 6749 section 3.1 forbids repeats. */
class RepeatedParameter extends Error {}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new RepeatedParameter(`${name} must be sent once`);
  return value;
}

/** 256 random bits in base64url: handles and one-time values. */
const randomHandle = () => randomBytes(32).toString('base64url');

export const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** `redirectUri` with the answer's parameters added to what its query already has. */
function answerAt(redirectUri: string, params: Record<string, string | null | undefined>) {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) url.searchParams.append(name, value);
  }
  return url.href;
}

/**
 * The authorization code grant for people (RFC 6749 section 4.1, RFC 7636 PKCE with S256
 * only, RFC 9207 `iss`, RFC 9700's refresh token rotation): requests, consent, codes, and the
 * refresh tokens of each authorization's family.
 */
export class PersonAuthorizations {
  constructor(
    private readonly repository: AuthorizationRepository,
    private readonly tokens: AccessTokens,
    private readonly logger: Logger,
    private readonly settings: AuthorizationSettings,
  ) {}

  /**
   * GET /authorize: checks the request, then answers it at once (a member who agreed to these
   * scopes before, or someone who may not authorize this app) or keeps it for the console.
   */
  async begin(
    query: Record<string, unknown>,
    person: ConsoleSession | null,
  ): Promise<AuthorizeOutcome> {
    let clientId: string | undefined;
    let redirectUri: string | undefined;
    try {
      clientId = single(query, 'client_id');
      redirectUri = single(query, 'redirect_uri');
    } catch (error) {
      if (error instanceof RepeatedParameter) return { kind: 'refused', message: error.message };
      throw error;
    }
    if (!clientId) return { kind: 'refused', message: 'client_id is required.' };
    const app = await this.repository.appByClientId(clientId);
    if (!app?.is_active) {
      return { kind: 'refused', message: 'This app is unknown or no longer active.' };
    }
    if (!redirectUri) return { kind: 'refused', message: 'redirect_uri is required.' };
    if (app.redirect_uri === null) {
      return {
        kind: 'refused',
        message: 'This app has no redirect URI registered, so it cannot ask people for access.',
      };
    }
    if (redirectUri !== app.redirect_uri) {
      return {
        kind: 'refused',
        message: 'redirect_uri is not the one registered for this app.',
      };
    }

    // From here on the redirect URI is the app's own: errors go back to it (section 4.1.2.1).
    let state: string | undefined;
    const back = (error: string, description: string): AuthorizeOutcome => ({
      kind: 'redirect',
      to: this.errorAt(redirectUri, state, error, description),
    });
    let request: {
      responseType?: string;
      challenge?: string;
      method?: string;
      scope?: string;
      prompt?: string;
    };
    try {
      state = single(query, 'state');
      request = {
        responseType: single(query, 'response_type'),
        challenge: single(query, 'code_challenge'),
        method: single(query, 'code_challenge_method'),
        scope: single(query, 'scope'),
        prompt: single(query, 'prompt'),
      };
    } catch (error) {
      if (error instanceof RepeatedParameter) return back('invalid_request', error.message);
      throw error;
    }
    if (!request.responseType) return back('invalid_request', 'response_type is required');
    if (request.responseType !== 'code') {
      return back('unsupported_response_type', 'Only response_type=code is supported');
    }
    if (!request.challenge || !request.method) {
      return back(
        'invalid_request',
        'PKCE is required: send code_challenge and code_challenge_method=S256',
      );
    }
    if (request.method !== 'S256') {
      return back('invalid_request', `code_challenge_method must be S256, not ${request.method}`);
    }
    if (!S256_CHALLENGE.test(request.challenge)) {
      return back(
        'invalid_request',
        'code_challenge must be the unpadded base64url SHA-256 of the code verifier (43 characters)',
      );
    }
    if (request.prompt !== undefined && request.prompt !== 'consent') {
      return back('invalid_request', 'prompt may only be consent');
    }
    const requested = [...new Set((request.scope ?? '').split(' ').filter(Boolean))];
    const unknown = requested.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
    if (unknown.length) return back('invalid_scope', `Unknown scope: ${unknown.join(' ')}`);
    const beyond = requested.filter((scope) => !app.scopes.includes(scope as Scope));
    if (beyond.length) {
      return back('invalid_scope', `The app may not request: ${beyond.join(' ')}`);
    }
    const scopes = requested.length ? (requested as Scope[]) : app.scopes;
    const forceConsent = request.prompt === 'consent';
    const pending = {
      appId: app.id,
      redirectUri,
      scopes,
      state: state ?? null,
      codeChallenge: request.challenge,
    };

    if (person) {
      const { is_member, consented } = await this.repository.standing(
        person.userId,
        app.id,
        scopes,
      );
      if (!is_member) return { kind: 'redirect', to: this.denied(pending, 'notMember') };
      if (consented && !forceConsent) {
        const to = await this.grantCode(pending, person.userId);
        return to ? { kind: 'redirect', to } : { kind: 'refused', message: GONE.message };
      }
    }
    const handle = randomHandle();
    await this.repository.createRequest({
      ...pending,
      id: sha256(handle),
      forceConsent,
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
    if (!request?.app_stands) {
      if (request) await this.repository.takeRequest(id, session.sessionId, sha256(decisionToken));
      throw new ApiError('AUTHORIZATION_REQUEST_GONE');
    }
    const pending = {
      appId: request.app_id,
      redirectUri: request.redirect_uri,
      scopes: request.scopes,
      state: request.state,
      codeChallenge: request.code_challenge,
    };
    if (!request.is_member || (request.consented && !request.force_consent)) {
      // Nothing to ask: the request is answered now, once.
      await this.repository.takeRequest(id, session.sessionId, sha256(decisionToken));
      const to = request.is_member
        ? await this.grantCode(pending, session.userId)
        : this.denied(pending, 'notMember');
      if (!to) throw new ApiError('AUTHORIZATION_REQUEST_GONE');
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
      redirectHost: new URL(request.redirect_uri).host,
      scopes: request.scopes.map((scope) => ({
        scope,
        description: SCOPE_DESCRIPTIONS[scope],
      })),
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
    if (!taken?.redirect_stands) throw new ApiError('AUTHORIZATION_REQUEST_GONE');
    const pending = {
      appId: taken.app_id,
      redirectUri: taken.redirect_uri,
      scopes: taken.scopes,
      state: taken.state,
      codeChallenge: taken.code_challenge,
    };
    if (!approve) return this.denied(pending, 'refused');
    const to = await this.grantCode(pending, session.userId);
    if (!to) throw new ApiError('AUTHORIZATION_REQUEST_GONE');
    await this.repository.rememberConsent(session.userId, taken.app_id, taken.scopes);
    return to;
  }

  /**
   * The authorization code grant (RFC 6749 section 4.1.3): spends the code once and answers
   * with the first access and refresh tokens of its family. A code used again ends the family.
   */
  async exchange(
    client: AuthenticatedClient,
    presented: { code: string; redirectUri: string; codeVerifier: string },
  ): Promise<IssuedToken> {
    if (!CODE_VERIFIER.test(presented.codeVerifier)) {
      throw new ApiError('INVALID_REQUEST', {
        message: 'code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~',
      });
    }
    if (!mayBeSecret('authorizationCode', presented.code)) {
      throw invalidGrant('The code is not one this server issued');
    }
    const hash = sha256(presented.code);
    const challenge = s256(presented.codeVerifier);
    const { draft, refreshToken, stored } = this.newTokens();
    const grantee = await this.repository.redeemCode(
      { hash, appId: client.appId, redirectUri: presented.redirectUri, challenge },
      stored,
    );
    if (grantee) return this.answer(client, draft, grantee, refreshToken);

    const code = await this.repository.codeState(hash);
    if (!code || code.app_id !== client.appId) {
      throw invalidGrant('The code is unknown, or was issued to another client');
    }
    if (code.used) {
      await this.repository.revokeFamily(code.authorization_id);
      this.logger.warn(
        {
          event: 'authorization_code.reuse_detected',
          authorizationId: code.authorization_id,
          clientId: client.clientId,
          userId: code.user_id,
        },
        'an authorization code was used twice: every token issued with it is revoked',
      );
      throw invalidGrant('The code was already used: every token issued with it is now revoked');
    }
    if (code.expired) {
      throw invalidGrant(
        `The code has expired (codes live ${this.settings.codeTtlSeconds} seconds): ask again`,
      );
    }
    if (code.revoked) throw invalidGrant('The authorization behind this code was revoked');
    if (code.redirect_uri !== presented.redirectUri) {
      throw invalidGrant('redirect_uri is not the one the authorization request sent');
    }
    if (code.code_challenge !== challenge) {
      throw invalidGrant('code_verifier does not match the code_challenge');
    }
    throw invalidGrant('The app no longer allows this authorization');
  }

  /**
   * The refresh token grant (RFC 6749 section 6), with rotation (RFC 9700 section 4.14.2):
   * the token is spent and a new one answers; one presented again ends its whole family.
   * `scopes` (absent: all) narrows the new access token within the authorization.
   */
  async refresh(
    client: AuthenticatedClient,
    presented: { refreshToken: string; scopes: string[] | undefined },
  ): Promise<IssuedToken> {
    if (!mayBeSecret('refreshToken', presented.refreshToken)) {
      throw invalidGrant('The refresh token is not one this server issued');
    }
    const requested = presented.scopes?.length ? [...new Set(presented.scopes)] : null;
    const unknown = (requested ?? []).filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (unknown.length) {
      throw new ApiError('INVALID_SCOPE', { message: `Unknown scope: ${unknown.join(' ')}` });
    }
    const hash = sha256(presented.refreshToken);
    const { draft, refreshToken, stored } = this.newTokens();
    const grantee = await this.repository.rotateRefreshToken(
      { hash, appId: client.appId, scopes: requested as Scope[] | null },
      stored,
    );
    if (grantee) return this.answer(client, draft, grantee, refreshToken);

    const token = await this.repository.refreshState(hash);
    if (!token || token.app_id !== client.appId) {
      throw invalidGrant('The refresh token is unknown, or was issued to another client');
    }
    if (token.rotated) {
      await this.repository.revokeFamily(token.authorization_id);
      this.logger.warn(
        {
          event: 'refresh_token.reuse_detected',
          authorizationId: token.authorization_id,
          clientId: client.clientId,
          userId: token.user_id,
        },
        'a rotated refresh token was used again: its whole authorization is revoked',
      );
      throw invalidGrant(
        'This refresh token was already used: every token of its authorization is now revoked',
      );
    }
    if (token.revoked) throw invalidGrant('This authorization was revoked');
    if (token.expired) throw invalidGrant('This authorization has expired: ask the person again');
    const beyond = (requested ?? []).filter((scope) => !token.scopes.includes(scope as Scope));
    if (beyond.length) {
      throw new ApiError('INVALID_SCOPE', {
        message: `The authorization does not include: ${beyond.join(' ')}`,
      });
    }
    throw invalidGrant('The app no longer allows this authorization');
  }

  /** RFC 7009 for a refresh token of `client`'s: its whole family ends. Anything else: nothing. */
  async revokeRefreshToken(client: AuthenticatedClient, token: string): Promise<void> {
    if (!mayBeSecret('refreshToken', token)) return;
    const state = await this.repository.refreshState(sha256(token));
    if (state && state.app_id === client.appId) {
      await this.repository.revokeFamily(state.authorization_id);
    }
  }

  /** A new refresh token and a drafted access token, as a redemption or rotation stores them. */
  private newTokens() {
    const draft = this.tokens.draft();
    const refreshToken = newSecret('refreshToken');
    return {
      draft,
      refreshToken,
      stored: {
        refreshId: randomUUID(),
        refreshHash: sha256(refreshToken),
        jti: draft.jti,
        accessExpiresAt: draft.expiresAt,
      },
    };
  }

  private async answer(
    client: AuthenticatedClient,
    draft: ReturnType<AccessTokens['draft']>,
    grantee: Grantee,
    refreshToken: string,
  ): Promise<IssuedToken> {
    const issued = await this.tokens.sign(draft, {
      subject: grantee.user_id,
      clientId: client.clientId,
      organizationId: grantee.organization_id,
      scopes: grantee.scopes,
    });
    return { ...issued, refresh_token: refreshToken };
  }

  /** Stores an authorization and its code; the app's answer URL, or null if it cannot stand. */
  private async grantCode(pending: Pending, userId: string): Promise<string | null> {
    const code = newSecret('authorizationCode');
    const stored = await this.repository.authorize({
      id: randomUUID(),
      appId: pending.appId,
      userId,
      scopes: pending.scopes,
      redirectUri: pending.redirectUri,
      codeHash: sha256(code),
      codeChallenge: pending.codeChallenge,
      codeTtlSeconds: this.settings.codeTtlSeconds,
      refreshTtlSeconds: this.settings.refreshTtlSeconds,
    });
    if (!stored) return null;
    return answerAt(pending.redirectUri, { code, state: pending.state, iss: this.settings.issuer });
  }

  private denied(pending: Pending, why: keyof typeof DENIALS): string {
    return this.errorAt(pending.redirectUri, pending.state, 'access_denied', DENIALS[why]);
  }

  /** RFC 6749 section 4.1.2.1's error response, with RFC 9207's `iss`. */
  private errorAt(
    redirectUri: string,
    state: string | null | undefined,
    error: string,
    description: string,
  ) {
    return answerAt(redirectUri, {
      error,
      error_description: description,
      state,
      iss: this.settings.issuer,
    });
  }
}

interface Pending {
  appId: string;
  redirectUri: string;
  scopes: Scope[];
  state: string | null;
  codeChallenge: string;
}

const DENIALS = {
  notMember: "Only members of the app's organization may authorize it",
  refused: 'The person denied the request',
};

const GONE = new ApiError('AUTHORIZATION_REQUEST_GONE');

const invalidGrant = (message: string) => new ApiError('INVALID_GRANT', { message });
