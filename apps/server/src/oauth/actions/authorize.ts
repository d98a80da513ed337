import { ApiError, apiErrorFrom, publicMessage, type Services } from '@timbrix/api';
import type { Request, RequestHandler } from 'express';
import type { ProtocolAction } from '../action.js';
import { sendPage } from '../page.js';

const html = (description: string) => ({
  description,
  content: { 'text/html': { schema: { type: 'string' } } },
});

const query = (name: string, description: string, required = false) => ({
  name,
  in: 'query',
  required,
  description,
  schema: { type: 'string' },
});

/** The person the console's cookie signs in, if it does. */
async function signedIn({ sessions }: Services, req: Request) {
  const token = sessions.cookie.read(req.headers.cookie);
  return token ? sessions.verify(token) : null;
}

/**
 * RFC 6749 section 4.1.1: the authorization endpoint. A browser comes here from an app; it
 * leaves for the app's registered redirect URI (with a code or an error), for the console's
 * consent screen (signing in first if it must), or, when the request cannot be trusted with a
 * redirect at all, stays on a page of the server's own.
 */
export const authorize: ProtocolAction = {
  method: 'get',
  path: '/api/oauth/authorize',
  handlers: (services) => {
    const { limits, logger } = services;
    const handle: RequestHandler = async (req, res) => {
      try {
        const ip = req.ip ?? 'unknown';
        const clientId = typeof req.query.client_id === 'string' ? req.query.client_id : '';
        await limits.consume(limits.rules.authorizePerClientIp, clientId, ip);
        await limits.consume(limits.rules.authorizePerIp, ip);
        const outcome = await services.authorizationRequests.begin(
          req.query,
          await signedIn(services, req),
        );
        if (outcome.kind === 'redirect') {
          res.status(302).location(outcome.to).end();
          return;
        }
        sendPage(res, 400, 'This app’s request cannot be answered', outcome.message);
      } catch (error) {
        const known = apiErrorFrom(error) ?? new ApiError('INTERNAL');
        if (known.status >= 500) logger.error({ err: error }, 'authorization request failed');
        res.set(known.headers);
        sendPage(
          res,
          known.status,
          known.status === 429 ? 'Too many requests' : 'Something went wrong',
          publicMessage(known.status, known.message),
        );
      }
    };
    return [handle];
  },
  openapi: {
    operationId: 'oauth-authorize',
    tags: ['oauth'],
    summary: 'Authorization endpoint (RFC 6749 section 4.1.1, PKCE required)',
    description:
      'Opened in a browser. The answer goes to the registered `redirect_uri` with `code`, `state` and `iss` (RFC 9207), or with `error`, `error_description`, `state` and `iss`. An unknown or inactive client, or a `redirect_uri` other than the registered one, is answered with a page here, never a redirect. A person who is not signed in, or has not agreed to these scopes for this app before (or `prompt=consent`), goes through the console’s sign-in and consent screen first.',
    security: [],
    parameters: [
      query('response_type', '`code`', true),
      query('client_id', 'The app’s client id', true),
      query('redirect_uri', 'Exactly the app’s registered redirect URI', true),
      query('scope', 'Space-separated, within the app’s scopes; absent: all of them'),
      query('state', 'Sent back as it came'),
      query('code_challenge', 'RFC 7636: BASE64URL(SHA256(code_verifier))', true),
      query('code_challenge_method', '`S256` (`plain` is refused)', true),
      query(
        'prompt',
        '`consent` asks the person even if they agreed before; `none` (OpenID Connect) never asks, and answers `login_required` or `consent_required` when it would have to',
      ),
    ],
    responses: {
      302: {
        description:
          'To the redirect URI (with the answer), or to the console’s consent screen; see Location',
      },
      400: html('The client is unknown or inactive, or the redirect URI is not the registered one'),
      429: html('Too many authorization requests from this address; see Retry-After'),
      500: html('Something went wrong; nothing of it is said'),
      503: html('The database is not answering'),
    },
  },
};
