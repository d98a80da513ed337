import { ApiError } from '@timbrix/api';
import { oauthJsonErrorBody, tokenRequestJson, tokenResponse } from '@timbrix/shared/schemas';
import { postAction } from '../action.js';
import { issuedToken, json } from '../documentation.js';
import { issueToken } from '../grants/grant.js';
import { authenticateClient } from '../http.js';
import { grantedScopes } from '../scopes.js';

/** The documented JSON form of the client credentials grant. */
export const tokenJson = postAction({
  path: '/api/oauth/token',
  body: 'json',
  handle: async (services, req, res) => {
    const parsed = tokenRequestJson.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ApiError('INVALID_REQUEST', {
        message: `${issue.path.join('.') || 'body'}: ${issue.message}`,
      });
    }
    const { clientId, clientSecret, scopes } = parsed.data;
    const client = await authenticateClient(services, req, () => ({
      clientId,
      clientSecret,
      method: 'client_secret_post',
    }));
    return issueToken({ services, client, params: {}, res }, grantedScopes(client, scopes));
  },
  openapi: {
    operationId: 'oauth-token',
    tags: ['oauth'],
    summary: 'Client credentials grant, documented JSON form',
    description: 'The same grant and token as /oauth2/token, for JSON clients.',
    security: [],
    requestBody: { required: true, content: { 'application/json': { schema: tokenRequestJson } } },
    responses: {
      200: issuedToken('An access token (RFC 9068 JWT)', tokenResponse),
      400: json('invalid_request or invalid_scope', oauthJsonErrorBody),
      401: json('invalid_client', oauthJsonErrorBody),
      413: json('invalid_request: the body is over 64 KiB', oauthJsonErrorBody),
      415: json('invalid_request: the body is not application/json', oauthJsonErrorBody),
      429: json('too_many_requests: see Retry-After', oauthJsonErrorBody),
      500: json('server_error: nothing of it is said', oauthJsonErrorBody),
      503: json('temporarily_unavailable: the database is not answering', oauthJsonErrorBody),
    },
  },
});
