import { introspectionRequestForm, introspectionResponse } from '@timbrix/shared/schemas';
import { CLIENT_AUTH, formBody, json, RFC_ERRORS } from '../documentation.js';
import { aboutTokenAction } from './about-token.js';

/** RFC 7662: token introspection, for clients of the token's organization. */
export const introspection = aboutTokenAction(
  '/api/oauth2/introspect',
  (services, caller, token) => services.tokens.introspect(caller, token),
  {
    operationId: 'oauth2-introspect',
    tags: ['oauth2'],
    summary: 'Token introspection (RFC 7662)',
    description:
      'The caller authenticates as a client. Tokens of its own organization answer with their claims; any other, expired, revoked or unknown token answers `{"active": false}`.',
    security: CLIENT_AUTH,
    requestBody: formBody(introspectionRequestForm),
    responses: { 200: json('The token’s state', introspectionResponse), ...RFC_ERRORS },
  },
);
