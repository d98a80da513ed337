import { revocationRequestForm } from '@timbrix/shared/schemas';
import { formBodies } from '../../http/body.js';
import type { ProtocolAction } from '../action.js';
import { CLIENT_AUTH, formBody, RFC_ERRORS } from '../documentation.js';
import { oauthBodyErrors, oauthHandler } from '../http.js';
import { aboutToken } from './about-token.js';

/** RFC 7009: a client revokes its own tokens. */
export const revocation: ProtocolAction = {
  method: 'post',
  path: '/api/oauth2/revoke',
  handlers: (services) => [
    ...formBodies(oauthBodyErrors('rfc')),
    oauthHandler('rfc', services, async (req) => {
      const { caller, token } = await aboutToken(services, req);
      await services.tokens.revoke(caller, token);
      return {};
    }),
  ],
  openapi: {
    operationId: 'oauth2-revoke',
    tags: ['oauth2'],
    summary: 'Token revocation (RFC 7009)',
    description:
      'A client revokes its own tokens. Any other token answers 200 too and stays as it was.',
    security: CLIENT_AUTH,
    requestBody: formBody(revocationRequestForm),
    responses: { 200: { description: 'Revoked, or not this client’s token' }, ...RFC_ERRORS },
  },
};
