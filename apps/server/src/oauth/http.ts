import {
  ApiError,
  type AuthenticatedClient,
  apiErrorFrom,
  type ClientCredentials,
  type EventOrigin,
  eventOrigin,
  isDatabaseUnavailable,
  type LimitRule,
  publicMessage,
  RateLimited,
  type Services,
} from '@timbrix/api';
import type { Request, RequestHandler, Response } from 'express';
import type { ErrorWriter } from '../http/body.js';

/** RFC 6749 section 5.2's error body, or the documented JSON form (with the API's fields). */
export type ErrorStyle = 'rfc' | 'json';

// RFC 6749 section 5.2: error_description is limited to these characters. Descriptions may
// quote what the client sent, so anything else (quotes, backslashes, controls, non-ASCII) is
// replaced, and the whole kept short.
const OUTSIDE_DESCRIPTION_CHARACTERS = /[^\x20-\x21\x23-\x5b\x5d-\x7e]/g;
const MAX_DESCRIPTION_LENGTH = 300;

/** Answers an API error as the OAuth protocol does. A 5xx says nothing of its cause. */
export function sendOAuthError(res: Response, error: ApiError, style: ErrorStyle) {
  if (error.oauthCode === 'invalid_client') {
    res.setHeader('WWW-Authenticate', 'Basic realm="timbrix", charset="UTF-8"');
  }
  const description = publicMessage(error.status, error.message)
    .replace(OUTSIDE_DESCRIPTION_CHARACTERS, '?')
    .slice(0, MAX_DESCRIPTION_LENGTH);
  const body = { error: error.oauthCode, error_description: description };
  res
    .set(error.headers)
    .status(error.status)
    .json(style === 'rfc' ? body : { ...body, statusCode: error.status, message: description });
}

const INTERNAL = new ApiError('INTERNAL');

/** Body errors (400, 413, 415) as OAuth errors in `style`. */
export const oauthBodyErrors =
  (style: ErrorStyle): ErrorWriter =>
  (res, error) =>
    sendOAuthError(res, error, style);

/** Runs an OAuth action, answering its result as JSON and its failures as protocol errors. */
export function oauthHandler(
  style: ErrorStyle,
  services: Services,
  work: (req: Request, res: Response) => Promise<unknown>,
): RequestHandler {
  return async (req, res) => {
    try {
      res.json(await work(req, res));
    } catch (error) {
      const known = apiErrorFrom(error);
      if (!known || isDatabaseUnavailable(error)) {
        services.logger.error({ err: error, path: req.path }, 'OAuth endpoint failed');
      }
      sendOAuthError(res, known ?? INTERNAL, style);
    }
  };
}

export type Form = Record<string, unknown>;

/** The form's parameters, each at most once (RFC 6749 section 3.2). */
export function form(req: Request): Form {
  const body = (req.body ?? {}) as Form;
  for (const [name, value] of Object.entries(body)) {
    if (Array.isArray(value)) {
      throw new ApiError('INVALID_REQUEST', { message: `${name} must not be repeated` });
    }
  }
  return body;
}

/** A parameter the request cannot do without. */
export function requiredParameter(params: Form, name: string, why = 'required'): string {
  const value = params[name];
  if (typeof value !== 'string' || value === '') {
    throw new ApiError('INVALID_REQUEST', { message: `${name} is ${why}` });
  }
  return value;
}

/** `+` is a space in form encoding, which RFC 6749 section 2.3.1 applies inside Basic. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replaceAll('+', ' '));
}

/**
 * The client's credentials from `Authorization: Basic` or from the form body, never both
 * (RFC 6749 section 2.3: one authentication method per request).
 */
export function readClientCredentials(
  authorization: string | undefined,
  body: { client_id?: unknown; client_secret?: unknown },
): ClientCredentials {
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '')?.[1];
  if (basic) {
    if (body.client_secret !== undefined) {
      throw new ApiError('INVALID_REQUEST', {
        message: 'Use one client authentication method, not two',
      });
    }
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new ApiError('INVALID_CLIENT');
    let clientId: string;
    let clientSecret: string;
    try {
      clientId = formDecode(decoded.slice(0, colon));
      clientSecret = formDecode(decoded.slice(colon + 1));
    } catch {
      throw new ApiError('INVALID_CLIENT');
    }
    if (body.client_id !== undefined && body.client_id !== clientId) {
      throw new ApiError('INVALID_REQUEST', {
        message: 'client_id does not match the Basic credentials',
      });
    }
    return { clientId, clientSecret, method: 'client_secret_basic' };
  }
  if (typeof body.client_id === 'string' && typeof body.client_secret === 'string') {
    return {
      clientId: body.client_id,
      clientSecret: body.client_secret,
      method: 'client_secret_post',
    };
  }
  throw new ApiError('INVALID_CLIENT');
}

/**
 * Authenticates the client of a request. Attempts that need argon2 work count per client and
 * address and per address, before the work, and successes give their place back: an attacker
 * guessing one client's secret is stopped, and the client itself, whose secret the cache
 * knows, is never held up by it.
 */
export async function authenticateClient(
  services: Services,
  req: Request,
  credentials: () => ClientCredentials,
): Promise<AuthenticatedClient> {
  const { clients, limits } = services;
  const { rules } = limits;
  const ip = req.ip ?? 'unknown';
  let presented: ClientCredentials;
  try {
    presented = credentials();
  } catch (error) {
    // No usable credentials at all: a failure of this address.
    if (error instanceof ApiError) await limits.attempt([rules.authFailuresPerIp, ip]);
    throw error;
  }
  return clients.authenticate(presented, () =>
    limits
      .attempt(
        [rules.authFailuresPerIp, ip],
        [rules.authFailuresPerClientIp, presented.clientId, ip],
      )
      .catch(async (error: unknown) => {
        if (firstRefusalOf(error, rules.authFailuresPerClientIp)) {
          await failuresExceeded(services, req, presented.clientId, error.counter.count - 1);
        }
        throw error;
      }),
  );
}

const firstRefusalOf = (error: unknown, rule: LimitRule): error is RateLimited =>
  error instanceof RateLimited && error.rule === rule && error.counter.count === rule.max + 1;

/**
 * A client's failures went past the limit (once per window): the log says so, and so does the
 * event stream of the app's organization; a made-up client id is in none, so only the log.
 */
async function failuresExceeded(
  services: Services,
  req: Request,
  clientId: string,
  failures: number,
) {
  services.logger.warn(
    { event: 'client_authentication.failures_exceeded', clientId, ip: req.ip, failures },
    'a client failed to authenticate past its limit',
  );
  const origin = requestOrigin(req, null);
  await services.db.events.clientAuthenticationFailuresExceeded(clientId, failures, origin);
}

/** Who acts (`actor`) and from where, as the events a protocol request records name them. */
export function requestOrigin(req: Request, actor: EventOrigin['actor']): EventOrigin {
  const requestId = (req.res?.locals.requestId as string | undefined) ?? null;
  return eventOrigin(actor, {
    requestId,
    ip: req.ip ?? null,
    userAgent: req.headers['user-agent'],
  });
}

/** The request's client, from Basic or from the form (`client_secret_basic` or `_post`). */
export const clientOf = (services: Services, req: Request, body: Form) =>
  authenticateClient(services, req, () => readClientCredentials(req.headers.authorization, body));
