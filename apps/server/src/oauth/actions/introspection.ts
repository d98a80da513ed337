import { introspectionRequestForm, introspectionResponse } from '@timbrix/shared/schemas';
import { formBodies } from '../../http/body.js';
import type { ProtocolAction } from '../action.js';
import { CLIENT_AUTH, formBody, json, RFC_ERRORS } from '../documentation.js';
import { oauthBodyErrors, oauthHandler } from '../http.js';
import { aboutToken } from './about-token.js';

/** RFC 7662: token introspection, for clients of the token's organization. */
export const introspection: ProtocolAction = {
  method: 'post',
  path: '/api/oauth2/introspect',
  handlers: (services) => [
    ...formBodies(oauthBodyErrors('rfc')),
    oauthHandler('rfc', services, async (req) => {
      const { caller, token } = await aboutToken(services, req);
      return services.tokens.introspect(caller, token);
    }),
  ],
  openapi: {
    operationId: 'oauth2-introspect',
    tags: ['oauth2'],
    summary: 'Token introspection (RFC 7662)',
    description:
      'The caller authenticates as a client. Tokens of its own organization answer with their claims; any other, expired, revoked or unknown token answers `{"active": false}`.',
    security: CLIENT_AUTH,
    requestBody: formBody(introspectionRequestForm),
    responses: { 200: json('The token’s state', introspectionResponse), ...RFC_ERRORS },
  },
};
