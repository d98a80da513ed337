import { revocationRequestForm } from '@timbrix/shared/schemas';
import { CLIENT_AUTH, formBody, RFC_ERRORS } from '../documentation.js';
import { aboutTokenAction } from './about-token.js';

/**
 * RFC 7009: a client revokes its own tokens (a refresh token: with its whole authorization);
 * any other token is left as it was.
 */
export const revocation = aboutTokenAction(
  '/api/oauth2/revoke',
  async (services, caller, token) => {
    await Promise.all([
      services.tokens.revoke(caller, token),
      services.personGrants.revokeRefreshToken(caller, token),
    ]);
    return {};
  },
  {
    operationId: 'oauth2-revoke',
    tags: ['oauth2'],
    summary: 'Token revocation (RFC 7009)',
    description:
      'A client revokes its own tokens: an access token ends alone; a refresh token ends its whole authorization (every access and refresh token from it, RFC 7009 section 2.1). Any other token answers 200 too and stays as it was.',
    security: CLIENT_AUTH,
    requestBody: formBody(revocationRequestForm),
    responses: {
      200: {
        description: 'Revoked, or not this client’s token: an empty object either way',
        content: {
          'application/json': { schema: { type: 'object', additionalProperties: false } },
        },
      },
      ...RFC_ERRORS,
    },
  },
);
