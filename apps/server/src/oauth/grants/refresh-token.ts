import { requiredParameter } from '../http.js';
import { scopeList } from '../scopes.js';
import { type Grant, type GrantContext, personGrant } from './grant.js';

export interface PresentedRefreshToken {
  refreshToken: string;
  /** Narrows the new access token; absent or empty: all of the authorization's scopes. */
  scopes: string[] | undefined;
}

/** Rotates a refresh token, under the refresh limits (the form and JSON alike). */
export const rotateRefreshToken = (context: GrantContext, presented: PresentedRefreshToken) =>
  personGrant(context, 'refreshes', () =>
    context.services.personGrants.refresh(context.client, presented, context.origin),
  );

/** RFC 6749 section 6, with rotation: the token presented is spent, a new one answers. */
export const refreshToken: Grant = {
  grantType: 'refresh_token',
  parameters: ['refresh_token', 'scope'],
  responseTypes: [],
  handler: (context) =>
    rotateRefreshToken(context, {
      refreshToken: requiredParameter(context.params, 'refresh_token'),
      scopes: scopeList(context.params.scope),
    }),
};
