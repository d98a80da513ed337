import { ApiError, type Services } from '@timbrix/api';
import type { Request, RequestHandler } from 'express';
import typeis from 'type-is';
import { sendTrpcError } from './respond.js';
import { callsOf } from './trpc-requests.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SETS_THE_COOKIE = 'auth.signIn';

/**
 * Whether a request that a cookie authenticates comes from this origin's own pages. A browser
 * says where a request comes from (`Sec-Fetch-Site`, else `Origin`): anything but this origin
 * is refused, and so is a request that says neither. A state-changing one must also be a
 * JSON request, which no cross-site form can send without a CORS preflight.
 */
function sameOrigin(req: Request, origin: string): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  return req.headers.origin === origin;
}

/**
 * The console's session cookie on `/trpc`: read into `res.locals.sessionCookie` when no
 * `Authorization` header comes first, and refused (403, in tRPC's envelope, before any work)
 * on a state-changing request from anywhere but this origin; so is signing in, which sets it. Reads (tRPC queries are GETs)
 * change nothing, and SameSite=Lax keeps the cookie off other sites' subrequests anyway.
 */
export function browserSessions(services: Services): RequestHandler {
  const { cookie } = services.sessions;
  const origin = new URL(services.config.issuerUrl).origin;
  return (req, res, next) => {
    const token = req.headers.authorization ? undefined : cookie.read(req.headers.cookie);
    // Signing in sets the cookie: another site must not sign a browser in (login CSRF) either.
    const guarded = token !== undefined || callsOf(req).includes(SETS_THE_COOKIE);
    if (guarded && !SAFE_METHODS.has(req.method)) {
      if (!sameOrigin(req, origin)) return sendTrpcError(res, new ApiError('CROSS_SITE_REQUEST'));
      // By its header, body or not (a mutation without input sends none).
      if (!typeis.is(req.headers['content-type'] ?? '', ['application/json'])) {
        return sendTrpcError(res, new ApiError('UNSUPPORTED_MEDIA_TYPE'));
      }
    }
    res.locals.sessionCookie = token;
    next();
  };
}
