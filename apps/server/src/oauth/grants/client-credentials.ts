import { grantedScopes, scopeList } from '../scopes.js';
import { type Grant, issueToken } from './grant.js';

/** RFC 6749 section 4.4: the client acts for itself, within its app's scopes. */
export const clientCredentials: Grant = {
  grantType: 'client_credentials',
  parameters: ['scope'],
  responseTypes: [],
  handler: (context) =>
    issueToken(context, grantedScopes(context.client, scopeList(context.params.scope))),
};
