import type { Services } from '@timbrix/api';
import { SCOPES } from '@timbrix/shared/scopes';
import type { RequestHandler } from 'express';
import type { ProtocolAction } from '../action.js';
import { GRANTS } from '../grants/index.js';
import { authorize } from './authorize.js';
import { introspection } from './introspection.js';
import { revocation } from './revocation.js';
import { token } from './token.js';

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];
// Discovery documents may be cached by anyone: they say nothing about a caller.
const PUBLIC_CACHE = 'public, max-age=300';

/**
 * RFC 8414 metadata, built from what the server has: the endpoints' own paths, the grants of
 * the registry (and the response types that lead to them), the scopes. Only what exists.
 */
export function metadata({ config }: Services) {
  const issuer = config.issuerUrl;
  const grants = [...GRANTS.values()];
  return {
    issuer,
    authorization_endpoint: `${issuer}${authorize.path}`,
    token_endpoint: `${issuer}${token.path}`,
    jwks_uri: `${issuer}${jwks.path}`,
    introspection_endpoint: `${issuer}${introspection.path}`,
    revocation_endpoint: `${issuer}${revocation.path}`,
    scopes_supported: SCOPES,
    response_types_supported: [...new Set(grants.flatMap((grant) => grant.responseTypes))],
    grant_types_supported: grants.map((grant) => grant.grantType),
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    service_documentation: `${issuer}/api/docs`,
  };
}

/** A GET of a document built once from the server's configuration, cacheable by anyone. */
function publicDocument(path: string, build: (services: Services) => object): ProtocolAction {
  return {
    method: 'get',
    path,
    handlers: (services) => {
      const document = build(services);
      const serve: RequestHandler = (_req, res) => {
        res.setHeader('Cache-Control', PUBLIC_CACHE);
        res.json(document);
      };
      return [serve];
    },
  };
}

export const discovery = publicDocument('/.well-known/oauth-authorization-server', metadata);

/** Where RFC 9728 says the API's resource metadata is: `/.well-known/oauth-protected-resource` + its path. */
export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource/api';

/**
 * RFC 9728 protected-resource metadata for the API, whose resource identifier is
 * `<issuer>/api` (the audience of the access tokens this server issues).
 */
export function resourceMetadata({ config }: Services) {
  const issuer = config.issuerUrl;
  return {
    resource: `${issuer}/api`,
    authorization_servers: [issuer],
    scopes_supported: SCOPES,
    bearer_methods_supported: ['header'],
    resource_signing_alg_values_supported: ['ES256'],
    resource_documentation: `${issuer}/api/docs`,
  };
}

export const protectedResource = publicDocument(RESOURCE_METADATA_PATH, resourceMetadata);

/** The public signing keys, as the database has them now, give or take a few seconds. */
export const jwks: ProtocolAction = {
  method: 'get',
  path: '/.well-known/jwks.json',
  handlers: ({ keys }) => {
    const serve: RequestHandler = async (_req, res) => {
      res.setHeader('Cache-Control', PUBLIC_CACHE);
      res.json(await keys.currentJwks());
    };
    return [serve];
  },
};
