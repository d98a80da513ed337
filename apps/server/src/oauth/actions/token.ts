import { ApiError } from '@timbrix/api';
import { tokenRequestForm, tokenResponse } from '@timbrix/shared/schemas';
import { postAction } from '../action.js';
import { CLIENT_AUTH, formBody, issuedToken, RFC_ERRORS } from '../documentation.js';
import { grantContext } from '../grants/grant.js';
import { GRANTS } from '../grants/index.js';
import { clientOf, form } from '../http.js';

/** RFC 6749 section 3.2: the token endpoint, for every grant in the registry. */
export const token = postAction({
  path: '/api/oauth2/token',
  body: 'form',
  handle: async (services, req, res) => {
    const params = form(req);
    if (typeof params.grant_type !== 'string') {
      throw new ApiError('INVALID_REQUEST', { message: 'grant_type is required' });
    }
    const client = await clientOf(services, req, params);
    const grant = GRANTS.get(params.grant_type);
    if (!grant) {
      throw new ApiError('UNSUPPORTED_GRANT_TYPE', {
        message: `grant_type ${params.grant_type} is not supported; use ${[...GRANTS.keys()].join(' or ')}`,
      });
    }
    return grant.handler(grantContext(services, client, params, req, res));
  },
  openapi: {
    operationId: 'oauth2-token',
    tags: ['oauth2'],
    summary:
      'Token endpoint (RFC 6749 section 3.2): client credentials, authorization code, refresh token',
    description:
      'Client authentication by client_secret_basic or client_secret_post, for every grant. `client_credentials`: a token of the app’s own; `scope` is space-separated and within the app’s scopes (absent: all of them). `authorization_code`: `code`, `redirect_uri` and the PKCE `code_verifier`; answers with a `refresh_token` too. `refresh_token`: the token is spent and a new one answers (rotation); one presented again revokes every token of its authorization.',
    security: CLIENT_AUTH,
    requestBody: formBody(tokenRequestForm),
    responses: {
      200: issuedToken(
        'An access token (RFC 9068 JWT), and a refresh token for a person’s grant',
        tokenResponse,
      ),
      ...RFC_ERRORS,
    },
  },
});
