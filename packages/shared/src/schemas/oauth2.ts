import { z } from 'zod';

/**
 * Every `error` the OAuth endpoints answer with: RFC 6749 section 5.2 (and RFC 7009 section
 * 2.2.1), the server's own failures in RFC 6749 section 4.1.2.1's words, and
 * `too_many_requests` for a rate limit (no RFC names one).
 */
export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'unsupported_token_type',
  'too_many_requests',
  'server_error',
  'temporarily_unavailable',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

export const oauthErrorBody = z
  .object({
    error: z.enum(OAUTH_ERROR_CODES),
    error_description: z.string(),
  })
  .meta({ id: 'OAuthError' });

/** The documented JSON form of the error: the RFC fields plus the API's usual ones. */
export const oauthJsonErrorBody = oauthErrorBody
  .extend({ statusCode: z.number().int(), message: z.string() })
  .meta({ id: 'OAuthJsonError' });

/** RFC 6749 section 2.3.1: a form may carry the client's credentials instead of Basic. */
const clientSecretPost = {
  client_id: z.string().optional().meta({ description: 'client_secret_post only' }),
  client_secret: z.string().optional().meta({ description: 'client_secret_post only' }),
};

const scopeParameter = z
  .string()
  .optional()
  .meta({ description: 'Space-separated; absent: all of the app’s (of the grant’s, on refresh)' });

/** RFC 6749 section 4.4.2, form-encoded. */
const clientCredentialsForm = z
  .object({
    grant_type: z.literal('client_credentials'),
    scope: scopeParameter,
    ...clientSecretPost,
  })
  .meta({ id: 'ClientCredentialsRequest' });

/** RFC 6749 section 4.1.3 with RFC 7636 section 4.5's verifier. */
const authorizationCodeForm = z
  .object({
    grant_type: z.literal('authorization_code'),
    code: z.string(),
    redirect_uri: z
      .string()
      .meta({ description: 'Exactly the one the authorization request sent' }),
    code_verifier: z.string().meta({ description: 'RFC 7636: required, 43-128 characters' }),
    ...clientSecretPost,
  })
  .meta({ id: 'AuthorizationCodeRequest' });

/** RFC 6749 section 6. */
const refreshTokenForm = z
  .object({
    grant_type: z.literal('refresh_token'),
    refresh_token: z.string(),
    scope: scopeParameter,
    ...clientSecretPost,
  })
  .meta({ id: 'RefreshTokenRequest' });

export const tokenRequestForm = z
  .discriminatedUnion('grant_type', [
    clientCredentialsForm,
    authorizationCodeForm,
    refreshTokenForm,
  ])
  .meta({ id: 'TokenRequest' });

const clientCredentialsJson = {
  clientId: z.string({ error: 'clientId must be a string' }).min(1).max(64),
  clientSecret: z.string({ error: 'clientSecret must be a string' }).min(1).max(256),
};

/** The documented JSON form of the client credentials grant. */
export const tokenRequestJson = z
  .object({
    ...clientCredentialsJson,
    // Judged by the grant itself, so that an unknown scope is invalid_scope as on /oauth2/token.
    scopes: z.array(z.string().max(64)).max(10).optional(),
  })
  .meta({ id: 'TokenRequestJson' });

/** The documented JSON form of the authorization code grant. */
export const codeExchangeJson = z
  .object({
    code: z.string({ error: 'code must be a string' }).min(1).max(256),
    ...clientCredentialsJson,
    redirectUri: z.string({ error: 'redirectUri must be a string' }).min(1).max(2048),
    grantType: z.literal('authorization_code', { error: 'grantType must be authorization_code' }),
    codeVerifier: z.string({ error: 'codeVerifier must be a string' }).min(1).max(256),
  })
  .meta({ id: 'CodeExchangeRequest' });

/** The documented JSON form of the refresh token grant; every app is confidential. */
export const refreshJson = z
  .object({
    refreshToken: z.string({ error: 'refreshToken must be a string' }).min(1).max(256),
    ...clientCredentialsJson,
    scopes: z.array(z.string().max(64)).max(10).optional().meta({
      description: 'Narrows the new access token within the authorization; absent: all of it',
    }),
  })
  .meta({ id: 'RefreshRequest' });

export const tokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    scope: z.string(),
    refresh_token: z
      .string()
      .optional()
      .meta({ description: 'From the authorization code and refresh token grants: use it once' }),
  })
  .meta({ id: 'TokenResponse' });

export const introspectionRequestForm = z
  .object({ token: z.string(), token_type_hint: z.string().optional(), ...clientSecretPost })
  .meta({ id: 'IntrospectionRequest' });

export const introspectionResponse = z
  .object({
    active: z.boolean(),
    scope: z.string().optional(),
    client_id: z.string().optional(),
    sub: z.string().optional(),
    exp: z.number().int().optional(),
    iat: z.number().int().optional(),
    iss: z.string().optional(),
    jti: z.string().optional(),
    token_type: z.literal('Bearer').optional(),
    organization_id: z.string().optional(),
  })
  .meta({ id: 'IntrospectionResponse' });

export const revocationRequestForm = introspectionRequestForm.meta({ id: 'RevocationRequest' });
