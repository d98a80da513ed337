import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { Scope } from '@timbrix/shared/scopes';
import { base, createdAt, updatedAt } from '../../db/base.js';
import { OAuthApp } from '../oauth-apps/entity.js';
import { Session } from '../sessions/entity.js';
import { User } from '../users/entity.js';

/**
 * An authorization request a person has not answered yet. The browser holds its handle; the
 * row holds only the handle's SHA-256, and everything the answer is bound to. Its redirect URI
 * was the app's registered one when the request came, and is checked again when answered.
 */
export const AuthorizationRequest = defineEntity({
  name: 'AuthorizationRequest',
  tableName: 'oauth_authorization_requests',
  properties: {
    /** SHA-256 (hex) of the handle in the console's address. */
    id: p.string().length(64).primary(),
    app: () => p.manyToOne(OAuthApp).deleteRule('cascade').index(),
    redirectUri: p.text(),
    scopes: p.array<Scope>(),
    state: p.text().nullable(),
    /** RFC 7636 S256 challenge. */
    codeChallenge: p.string().length(43),
    /** `prompt=consent`: ask even if the person agreed before. */
    forceConsent: p.boolean(),
    /** The console session that opened it: only that session may answer it. */
    session: () => p.manyToOne(Session).nullable().deleteRule('cascade').index(),
    /** SHA-256 of the one-time value the answer must carry. */
    decisionHash: p.string().length(64).nullable(),
    expiresAt: p.datetime().index(),
    createdAt: createdAt(),
  },
});
export type AuthorizationRequest = InferEntity<typeof AuthorizationRequest>;

/**
 * One authorization a person gave an app: its code, and the family of refresh and access
 * tokens descended from it. Revoking it ends them all.
 */
export const Authorization = defineEntity({
  name: 'Authorization',
  tableName: 'oauth_authorizations',
  indexes: [{ properties: ['user', 'app'] }],
  properties: {
    ...base(),
    app: () => p.manyToOne(OAuthApp).deleteRule('cascade').index(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    scopes: p.array<Scope>(),
    redirectUri: p.text(),
    /** SHA-256 of the code; the code itself is never stored. */
    codeHash: p.string().length(64).unique(),
    codeChallenge: p.string().length(43),
    codeExpiresAt: p.datetime(),
    codeUsedAt: p.datetime().nullable(),
    /** When its refresh tokens stop working, whatever their rotations. */
    expiresAt: p.datetime().index(),
    revokedAt: p.datetime().nullable(),
  },
});
export type Authorization = InferEntity<typeof Authorization>;

/** A refresh token of an authorization: live until rotated, or until the family ends. */
export const RefreshToken = defineEntity({
  name: 'RefreshToken',
  tableName: 'oauth_refresh_tokens',
  properties: {
    ...base(),
    authorization: () => p.manyToOne(Authorization).deleteRule('cascade').index(),
    /** SHA-256 of the token; the token itself is never stored. */
    tokenHash: p.string().length(64).unique(),
    rotatedAt: p.datetime().nullable(),
  },
});
export type RefreshToken = InferEntity<typeof RefreshToken>;

/**
 * What a person agreed to let an app do: a later request for these scopes or fewer skips the
 * consent screen.
 */
export const Consent = defineEntity({
  name: 'Consent',
  tableName: 'oauth_consents',
  properties: {
    user: () => p.manyToOne(User).primary().deleteRule('cascade'),
    app: () => p.manyToOne(OAuthApp).primary().deleteRule('cascade').index(),
    scopes: p.array<Scope>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type Consent = InferEntity<typeof Consent>;
