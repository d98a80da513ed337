import { tokenRequestJson } from '@timbrix/shared/schemas';
import { SCOPES, type Scope } from '@timbrix/shared/scopes';
import { type Request, type RequestHandler, type Response, Router } from 'express';
import { Overloaded } from '../auth/passwords.js';
import type { Services } from '../context.js';
import { isDatabaseUnavailable, UNAVAILABLE_MESSAGE } from '../errors.js';
import { type ErrorWriter, formBodies, jsonBodies } from '../http/body.js';
import { RateLimited } from '../limits/rate-limiter.js';
import type { AuthenticatedClient, ClientCredentials } from './client-auth.js';
import { readClientCredentials } from './client-auth.js';
import { OAuthError } from './errors.js';

type Form = Record<string, unknown>;
type ErrorStyle = 'rfc' | 'json';

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

// RFC 6749 section 5.2: error_description is limited to these characters. Descriptions may
// quote what the client sent, so anything else (quotes, backslashes, controls, non-ASCII) is
// replaced, and the whole kept short.
const OUTSIDE_DESCRIPTION_CHARACTERS = /[^\x20-\x21\x23-\x5b\x5d-\x7e]/g;
const MAX_DESCRIPTION_LENGTH = 300;

/** Answers an OAuth error: RFC 6749 section 5.2, or the documented JSON form. */
function sendOAuthError(
  res: Response,
  { status, code, description }: { status: number; code: string; description: string },
  style: ErrorStyle,
) {
  if (code === 'invalid_client') {
    res.setHeader('WWW-Authenticate', 'Basic realm="timbrix", charset="UTF-8"');
  }
  const safe = description
    .replace(OUTSIDE_DESCRIPTION_CHARACTERS, '?')
    .slice(0, MAX_DESCRIPTION_LENGTH);
  const body = { error: code, error_description: safe };
  res.status(status).json(style === 'rfc' ? body : { ...body, statusCode: status, message: safe });
}

/** A request refused for its body (400, 413, 415), as an OAuth error in `style`. */
const bodyErrorsAs =
  (style: ErrorStyle): ErrorWriter =>
  (res, status, description) =>
    sendOAuthError(res, { status, code: 'invalid_request', description }, style);

// Failures of our own, in the protocol's words (RFC 6749 section 4.1.2.1) and with no detail.
const SERVER_ERROR = { status: 500, code: 'server_error', description: 'Internal server error' };
const UNAVAILABLE = {
  status: 503,
  code: 'temporarily_unavailable',
  description: UNAVAILABLE_MESSAGE,
};

/** Runs an OAuth handler, turning its failures into protocol errors that reveal nothing inside. */
function handle(
  style: ErrorStyle,
  services: Services,
  work: (req: Request, res: Response) => Promise<unknown>,
) {
  const handler: RequestHandler = async (req, res) => {
    try {
      res.json(await work(req, res));
    } catch (error) {
      if (error instanceof OAuthError) return sendOAuthError(res, error, style);
      if (error instanceof RateLimited) {
        res.set(error.headers());
        const description = error.message;
        return sendOAuthError(res, { status: 429, code: 'too_many_requests', description }, style);
      }
      if (error instanceof Overloaded) {
        res.set('Retry-After', String(error.retryAfterSeconds));
        return sendOAuthError(res, UNAVAILABLE, style);
      }
      services.logger.error({ err: error, path: req.path }, 'OAuth endpoint failed');
      sendOAuthError(res, isDatabaseUnavailable(error) ? UNAVAILABLE : SERVER_ERROR, style);
    }
  };
  return handler;
}

/** The form's parameters, each at most once (RFC 6749 section 3.2). */
function form(req: Request): Form {
  const body = (req.body ?? {}) as Form;
  for (const [name, value] of Object.entries(body)) {
    if (Array.isArray(value)) {
      throw new OAuthError('invalid_request', `${name} must not be repeated`);
    }
  }
  return body;
}

/** The requested scopes: a space-separated list within the app's; absent means all of them. */
function grantedScopes(
  client: AuthenticatedClient,
  requested: readonly string[] | undefined,
): Scope[] {
  if (!requested || requested.length === 0) return client.scopes;
  const unique = [...new Set(requested)];
  const unknown = unique.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
  if (unknown.length) throw new OAuthError('invalid_scope', `Unknown scope: ${unknown.join(' ')}`);
  const notGranted = unique.filter((scope) => !client.scopes.includes(scope as Scope));
  if (notGranted.length) {
    throw new OAuthError('invalid_scope', `The client may not request: ${notGranted.join(' ')}`);
  }
  return unique as Scope[];
}

export function oauthEndpoints(services: Services): Router {
  const { clients, tokens, keys, config, limits } = services;
  const { rules } = limits;
  const issuer = config.issuerUrl;
  const router = Router();

  /**
   * Authenticates the client of a request. Attempts that need argon2 work count per client
   * and address and per address, before the work, and successes give their place back: an
   * attacker guessing one client's secret is stopped, and the client itself, whose secret the
   * cache knows, is never held up by it.
   */
  const authenticate = async (
    req: Request,
    credentials: () => ClientCredentials,
  ): Promise<AuthenticatedClient> => {
    const ip = req.ip ?? 'unknown';
    let presented: ClientCredentials;
    try {
      presented = credentials();
    } catch (error) {
      // No usable credentials at all: a failure of this address.
      if (error instanceof OAuthError) await limits.attempt([rules.authFailuresPerIp, ip]);
      throw error;
    }
    return clients.authenticate(presented, () =>
      limits.attempt(
        [rules.authFailuresPerIp, ip],
        [rules.authFailuresPerClientIp, presented.clientId, ip],
      ),
    );
  };
  const fromRequest = (req: Request, body: Form) => () =>
    readClientCredentials(req.headers.authorization, body);

  /** A successful grant counts against the client's allowance. */
  const issue = async (res: Response, client: AuthenticatedClient, scopes: Scope[]) => {
    const headers = await limits.consume(rules.grantsPerClient, client.clientId);
    if (headers) res.set(headers);
    return tokens.issue(client, scopes);
  };

  /** Introspection and revocation: an authenticated client, and the token it asks about. */
  const aboutToken = async (req: Request) => {
    const body = form(req);
    const caller = await authenticate(req, fromRequest(req, body));
    if (typeof body.token !== 'string' || !body.token) {
      throw new OAuthError('invalid_request', 'token is required');
    }
    return { caller, token: body.token };
  };

  // RFC 6749 section 4.4: the client credentials grant.
  router.post(
    '/api/oauth2/token',
    ...formBodies(bodyErrorsAs('rfc')),
    handle('rfc', services, async (req, res) => {
      const body = form(req);
      if (typeof body.grant_type !== 'string') {
        throw new OAuthError('invalid_request', 'grant_type is required');
      }
      const client = await authenticate(req, fromRequest(req, body));
      if (body.grant_type !== 'client_credentials') {
        throw new OAuthError(
          'unsupported_grant_type',
          `grant_type ${body.grant_type} is not supported; use client_credentials`,
        );
      }
      const scope = typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : [];
      return issue(res, client, grantedScopes(client, scope));
    }),
  );

  // The documented JSON form of the same grant.
  router.post(
    '/api/oauth/token',
    ...jsonBodies(bodyErrorsAs('json')),
    handle('json', services, async (req, res) => {
      const parsed = tokenRequestJson.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new OAuthError(
          'invalid_request',
          `${issue.path.join('.') || 'body'}: ${issue.message}`,
        );
      }
      const { clientId, clientSecret, scopes } = parsed.data;
      const client = await authenticate(req, () => ({
        clientId,
        clientSecret,
        method: 'client_secret_post',
      }));
      return issue(res, client, grantedScopes(client, scopes));
    }),
  );

  // RFC 7662: token introspection, for clients of the token's organization.
  router.post(
    '/api/oauth2/introspect',
    ...formBodies(bodyErrorsAs('rfc')),
    handle('rfc', services, async (req) => {
      const { caller, token } = await aboutToken(req);
      return tokens.introspect(caller, token);
    }),
  );

  // RFC 7009: a client revokes its own tokens.
  router.post(
    '/api/oauth2/revoke',
    ...formBodies(bodyErrorsAs('rfc')),
    handle('rfc', services, async (req) => {
      const { caller, token } = await aboutToken(req);
      await tokens.revoke(caller, token);
      return {};
    }),
  );

  // RFC 8414: only what exists is listed.
  router.get('/.well-known/oauth-authorization-server', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json({
      issuer,
      token_endpoint: `${issuer}/api/oauth2/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      introspection_endpoint: `${issuer}/api/oauth2/introspect`,
      revocation_endpoint: `${issuer}/api/oauth2/revoke`,
      scopes_supported: SCOPES,
      response_types_supported: [],
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: AUTH_METHODS,
      introspection_endpoint_auth_methods_supported: AUTH_METHODS,
      revocation_endpoint_auth_methods_supported: AUTH_METHODS,
      service_documentation: `${issuer}/api/docs`,
    });
  });

  router.get('/.well-known/jwks.json', async (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(await keys.currentJwks());
  });

  return router;
}
