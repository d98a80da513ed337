import { ApiError, type IssuedToken } from '@timbrix/api';
import {
  codeExchangeJson,
  oauthJsonErrorBody,
  refreshJson,
  tokenRequestJson,
  tokenResponse,
} from '@timbrix/shared/schemas';
import type { z } from 'zod';
import { type ProtocolAction, postAction } from '../action.js';
import { issuedToken, json } from '../documentation.js';
import { exchangeCode } from '../grants/authorization-code.js';
import { type GrantContext, grantContext, issueToken } from '../grants/grant.js';
import { rotateRefreshToken } from '../grants/refresh-token.js';
import { authenticateClient } from '../http.js';
import { grantedScopes } from '../scopes.js';

type JsonRequest = z.ZodType<{ clientId: string; clientSecret: string }>;

/**
 * A documented JSON form of a grant: the body, checked against `schema` (a failure names the
 * field), carries the client's credentials; `grant` answers for the authenticated client.
 */
function jsonGrant<S extends JsonRequest>(options: {
  path: string;
  schema: S;
  grant(context: GrantContext, body: z.infer<S>): Promise<IssuedToken>;
  operationId: string;
  summary: string;
  description: string;
  errors400: string;
}): ProtocolAction {
  return postAction({
    path: options.path,
    body: 'json',
    handle: async (services, req, res) => {
      const parsed = options.schema.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new ApiError('INVALID_REQUEST', {
          message: `${issue.path.join('.') || 'body'}: ${issue.message}`,
        });
      }
      const { clientId, clientSecret } = parsed.data;
      const client = await authenticateClient(services, req, () => ({
        clientId,
        clientSecret,
        method: 'client_secret_post',
      }));
      const context = grantContext(services, client, {}, req, res);
      return options.grant(context, parsed.data);
    },
    openapi: {
      operationId: options.operationId,
      tags: ['oauth'],
      summary: options.summary,
      description: options.description,
      security: [],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: options.schema } },
      },
      responses: {
        200: issuedToken('An access token (RFC 9068 JWT)', tokenResponse),
        400: json(options.errors400, oauthJsonErrorBody),
        401: json('invalid_client', oauthJsonErrorBody),
        413: json('invalid_request: the body is over 64 KiB', oauthJsonErrorBody),
        415: json('invalid_request: the body is not application/json', oauthJsonErrorBody),
        429: json('too_many_requests: see Retry-After', oauthJsonErrorBody),
        500: json('server_error: nothing of it is said', oauthJsonErrorBody),
        503: json('temporarily_unavailable: the database is not answering', oauthJsonErrorBody),
      },
    },
  });
}

/** The documented JSON form of the client credentials grant. */
export const tokenJson = jsonGrant({
  path: '/api/oauth/token',
  schema: tokenRequestJson,
  grant: (context, { scopes }) => issueToken(context, grantedScopes(context.client, scopes)),
  operationId: 'oauth-token',
  summary: 'Client credentials grant, documented JSON form',
  description: 'The same grant and token as /oauth2/token, for JSON clients.',
  errors400: 'invalid_request or invalid_scope',
});

/** The documented JSON form of the authorization code grant. */
export const codeExchangeJsonAction = jsonGrant({
  path: '/api/oauth/token/exchange',
  schema: codeExchangeJson,
  grant: (context, body) =>
    exchangeCode(context, {
      code: body.code,
      redirectUri: body.redirectUri,
      codeVerifier: body.codeVerifier,
    }),
  operationId: 'oauth-token-exchange',
  summary: 'Authorization code grant, documented JSON form',
  description:
    'The same grant as `grant_type=authorization_code` on /oauth2/token: the code is spent once, with the PKCE `codeVerifier` and the `redirectUri` of the authorization request, for an access token acting as the person and a refresh token. A code used twice fails and revokes every token issued with it.',
  errors400:
    'invalid_request (a field missing or malformed), or invalid_grant (the code unknown, expired, used, another client’s, or the verifier or redirect URI not matching)',
});

/** The documented JSON form of the refresh token grant. */
export const refreshJsonAction = jsonGrant({
  path: '/api/oauth/token/refresh',
  schema: refreshJson,
  grant: (context, body) =>
    rotateRefreshToken(context, { refreshToken: body.refreshToken, scopes: body.scopes }),
  operationId: 'oauth-token-refresh',
  summary: 'Refresh token grant, documented JSON form (rotating)',
  description:
    'The same grant as `grant_type=refresh_token` on /oauth2/token. Every Timbrix app is a confidential client, so `clientId` and `clientSecret` are required beside `refreshToken` (the original documentation shows only `refreshToken`). The refresh token is spent and a new one answers; presenting a spent one again revokes every token of its authorization. Refresh tokens stop working `REFRESH_TOKEN_TTL_SECONDS` after the person authorized the app, whatever the rotations.',
  errors400:
    'invalid_request, invalid_scope (beyond the authorization’s), or invalid_grant (unknown, spent, revoked, expired, or another client’s)',
});
