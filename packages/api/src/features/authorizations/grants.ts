import { randomUUID } from 'node:crypto';
import { isScope, type Scope } from '@timbrix/shared/scopes';
import { ApiError } from '../../errors/codes.js';
import { mayBeSecret, newSecret, sha256 } from '../../lib/secrets.js';
import type { Logger } from '../../logger.js';
import type { AccessTokens, IssuedToken, TokenDraft } from '../access-tokens/service.js';
import { type EventOrigin, eventRow } from '../events/record.js';
import type { AuthenticatedClient } from '../oauth-apps/client-auth.js';
import type { AuthorizationRepository, Grantee } from './repository.js';
import { s256 } from './request-checks.js';

/** RFC 7636 section 4.1: 43-128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

const invalidGrant = (message: string) => new ApiError('INVALID_GRANT', { message });

/**
 * The back channel of people's authorizations: the authorization code grant (RFC 6749
 * section 4.1.3, RFC 7636) and the refresh token grant with rotation (RFC 9700 section
 * 4.14.2). A code or a refresh token presented again ends its whole family.
 */
export class PersonGrants {
  constructor(
    private readonly repository: AuthorizationRepository,
    private readonly tokens: AccessTokens,
    private readonly logger: Logger,
    private readonly codeTtlSeconds: number,
  ) {}

  /**
   * The authorization code grant (RFC 6749 section 4.1.3): spends the code once and answers
   * with the first access and refresh tokens of its family. A code used again ends the family.
   */
  async exchange(
    client: AuthenticatedClient,
    presented: { code: string; redirectUri: string; codeVerifier: string },
    origin: EventOrigin,
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
      await this.endFamily(client, code, 'authorization_code.reuse_detected', origin);
      throw invalidGrant('The code was already used: every token issued with it is now revoked');
    }
    if (code.expired) {
      throw invalidGrant(
        `The code has expired (codes live ${this.codeTtlSeconds} seconds): ask again`,
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
    origin: EventOrigin,
  ): Promise<IssuedToken> {
    if (!mayBeSecret('refreshToken', presented.refreshToken)) {
      throw invalidGrant('The refresh token is not one this server issued');
    }
    const requested = presented.scopes?.length ? [...new Set(presented.scopes)] : null;
    const unknown = (requested ?? []).filter((scope) => !isScope(scope));
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
      await this.endFamily(client, token, 'refresh_token.reuse_detected', origin);
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

  /**
   * A spent code or refresh token came again: someone holds what they should not (RFC 9700
   * section 4.14.2). Its whole family ends, and the security log and the organization's event
   * stream (in the same statement) say so (ids only).
   */
  private async endFamily(
    client: AuthenticatedClient,
    spent: { authorization_id: string; user_id: string },
    event: 'authorization_code.reuse_detected' | 'refresh_token.reuse_detected',
    origin: EventOrigin,
  ) {
    await this.repository.revokeFamily(
      spent.authorization_id,
      eventRow(origin, {
        type: event,
        organizationId: client.organizationId,
        target: { type: 'authorization', id: spent.authorization_id },
        data: { clientId: client.clientId, userId: spent.user_id },
      }),
    );
    this.logger.warn(
      {
        event,
        authorizationId: spent.authorization_id,
        clientId: client.clientId,
        userId: spent.user_id,
      },
      'a spent code or refresh token was presented again: every token of its authorization is revoked',
    );
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
    draft: TokenDraft,
    grantee: Grantee,
    refreshToken: string,
  ): Promise<IssuedToken> {
    // An access token never outlives its family.
    const expiresAt = Math.min(draft.expiresAt, Number(grantee.expires_at));
    const issued = await this.tokens.sign(
      { ...draft, expiresAt },
      {
        subject: grantee.user_id,
        clientId: client.clientId,
        organizationId: grantee.organization_id,
        scopes: grantee.scopes,
      },
    );
    return { ...issued, refresh_token: refreshToken };
  }
}
