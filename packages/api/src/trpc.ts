import { ACTIONS, type Action, refusal } from '@timbrix/shared/authorization';
import { initTRPC } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { type Caller, type Context, credentialOf, type SessionPrincipal } from './context.js';
import { ApiError, ERRORS, type ErrorCode } from './errors/codes.js';
import { formatError, type TrpcErrorShape } from './errors/format.js';
import { apiErrorFrom } from './errors/translate.js';
import { type Standing, standingIn } from './standing.js';

/** Headers a successful answer may carry: the page links, or the caller's rate limit. */
export type SuccessHeader = 'Link' | 'RateLimit';

export interface Meta extends OpenApiMeta {
  /** REST status on success, when not 200 (trpc-to-openapi would answer 200 for all). */
  successStatus?: 201 | 202 | 204;
  /** Every error code the procedure can answer with; its documented errors come from them. */
  errors?: ErrorCode[];
  successHeaders?: SuccessHeader[];
  /** What the procedure does, in the authorization table: its OpenAPI security comes from it. */
  action?: Action;
  /** A public procedure that checks the API key sent with it (its OpenAPI security says so). */
  checksApiKey?: boolean;
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    isDev: false,
    // Typed as tRPC's envelope: the REST body it can also return never reaches a tRPC client.
    errorFormatter: ({ shape, error, ctx }) => formatError({ shape, error, ctx }) as TrpcErrorShape,
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** A REST operation: its OpenAPI entry, documented errors made from the codes it can throw. */
export function operation(
  openapi: Omit<NonNullable<OpenApiMeta['openapi']>, 'errorResponses'> & { action?: Action },
  errors: ErrorCode[],
  successStatus?: 201 | 202 | 204,
  successHeaders?: SuccessHeader[],
): Meta {
  const { action, ...rest } = openapi;
  const byStatus: Record<number, string[]> = {};
  for (const code of new Set(errors)) {
    const { status, message } = ERRORS[code];
    byStatus[status] = [...(byStatus[status] ?? []), message];
  }
  const errorResponses = Object.fromEntries(
    Object.entries(byStatus).map(([status, messages]) => [status, messages.join(' / ')]),
  );
  return {
    openapi: { ...rest, errorResponses },
    errors,
    successStatus,
    successHeaders,
    action,
  };
}

/**
 * Every procedure starts here: whatever fails below becomes an API error in this one place
 * (see `apiErrorFrom`), and the headers it carries (Retry-After, RateLimit-*) join the answer.
 */
export const publicProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (ctx.failure) {
    Object.assign(ctx.response.headers, ctx.failure.headers);
    throw ctx.failure;
  }
  const result = await next();
  if (result.ok) return result;
  const mapped = result.error instanceof ApiError ? result.error : apiErrorFrom(result.error.cause);
  if (!mapped) throw result.error;
  Object.assign(ctx.response.headers, mapped.headers);
  throw mapped;
});

/**
 * Errors every procedure with a caller can answer with: none, or an API key refused here (from
 * an address it may not be used at, past its own limits, or for what no key may do).
 */
export const AUTHED_ERRORS: ErrorCode[] = [
  'AUTHENTICATION_REQUIRED',
  'API_KEY_ADDRESS_NOT_ALLOWED',
  'API_KEY_REFUSED',
  'RATE_LIMITED',
];
/** Errors every procedure in a named organization can answer with. */
export const ORG_ERRORS: ErrorCode[] = [...AUTHED_ERRORS, 'NOT_A_MEMBER'];
/** What a procedure an access token may call can answer with besides. */
export const SCOPED_ERRORS: ErrorCode[] = ['INSUFFICIENT_SCOPE'];

/**
 * Anyone with a valid credential: a person's session, an access token, or an API key that
 * may be used from the request's address and is within its own limits.
 */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  if (ctx.principal.kind === 'anonymous') throw new ApiError('AUTHENTICATION_REQUIRED');
  const principal: Caller = ctx.principal;
  if (principal.kind === 'api_key') await ctx.services.apiKeys.admit(principal, ctx.ip);
  return next({ ctx: { principal } });
});

/** Why the authorization table refuses `caller` `action` with `role` (null: it does not). */
function refusalFor(caller: Caller, action: Action, role: Standing['role'] | undefined) {
  const scopes = caller.kind === 'session' ? [] : caller.scopes;
  return refusal(action, { credential: credentialOf(caller), role, scopes });
}

/** Whether the authorization table lets `caller` do `action` with `role`. */
export const allows = (caller: Caller, action: Action, role: Standing['role'] | undefined) =>
  refusalFor(caller, action, role) === null;

/**
 * Refuses `caller` unless the authorization table lets its credential, its `role` in the
 * organization concerned and its scopes do `action`; `forbidden` is the error for the role.
 */
export function requireAllowed(
  caller: Caller,
  action: Action,
  role: Standing['role'] | undefined,
  forbidden: ErrorCode,
) {
  switch (refusalFor(caller, action, role)) {
    case null:
      return;
    case 'credential':
      if (caller.kind === 'api_key') throw new ApiError('API_KEY_REFUSED');
      throw new ApiError(
        (ACTIONS[action].credentials as readonly string[]).includes('user_token')
          ? 'PERSON_REQUIRED'
          : 'SESSION_REQUIRED',
      );
    case 'role':
      throw new ApiError(forbidden);
    case 'scope': {
      // RFC 6750 section 3.1: the scope to ask for (the narrowest that would do).
      const [needed, ...others] = ACTIONS[action].scopes;
      const alternatives = others.length > 0 ? ` (or ${others.join(', ')})` : '';
      throw new ApiError('INSUFFICIENT_SCOPE', {
        message: `${caller.kind === 'api_key' ? 'This API key' : 'This access token'} lacks the scope ${needed}${alternatives} that this needs`,
        headers: {
          'WWW-Authenticate': `Bearer realm="timbrix", error="insufficient_scope", scope="${needed}"`,
        },
      });
    }
  }
}

/** A caller allowed `action`, which concerns no one organization (the caller's own account). */
export const allowedTo = (action: Action) =>
  authedProcedure.use(({ ctx, next }) => {
    requireAllowed(ctx.principal, action, undefined, 'SESSION_REQUIRED');
    return next();
  });

/** The session of a caller that `allowedTo` has found to be a signed-in person. */
export function sessionOf(caller: Caller): SessionPrincipal {
  if (caller.kind !== 'session') throw new ApiError('SESSION_REQUIRED');
  return caller;
}

/** No organization named: the caller's only one. */
const SOLE = Symbol('the caller’s only organization');

type OrganizationSource = (input: {
  rawInput: unknown;
  named: string | undefined;
}) => string | undefined | typeof SOLE;

function memberOf(source: OrganizationSource) {
  return authedProcedure.use(async ({ ctx, getRawInput, next }) => {
    const wanted = source({ rawInput: await getRawInput(), named: ctx.organizationId });
    const caller = ctx.principal;
    let standing: Standing | undefined;
    if (wanted !== SOLE) {
      standing = await standingIn(ctx, caller, wanted);
    } else if (caller.kind !== 'session') {
      // A token acts in its app's organization (a person's too: the one they authorized it
      // in); a key in its own.
      standing = await standingIn(ctx, caller, caller.organizationId);
    } else {
      const some = await ctx.db.memberships.some(caller.userId);
      if (some.length > 1) throw new ApiError('SEVERAL_ORGANIZATIONS');
      standing = some[0];
      if (!standing) throw new ApiError('NO_ORGANIZATION');
    }
    // Unknown, malformed and not-yours look alike: none of them says what exists.
    if (!standing) throw new ApiError('NOT_A_MEMBER');
    return next({ ctx: { standing } });
  });
}

/** In the organization the caller names (X-Organization-Id), or the caller's only one. */
export const orgProcedure = memberOf(({ named }) => named ?? SOLE);

/** In the organization named by the `organizationId` path parameter (the input, on tRPC). */
export const orgByIdProcedure = memberOf(({ rawInput }) => {
  const id = (rawInput as { organizationId?: unknown } | undefined)?.organizationId;
  return typeof id === 'string' ? id : undefined;
});

/** Lets through only callers whose standing the authorization table allows `action`. */
export function requirePermission(action: Action, forbidden: ErrorCode) {
  return t.middleware(async ({ ctx, next }) => {
    const { principal, standing } = ctx as Context & { standing?: Standing };
    if (principal.kind === 'anonymous') throw new ApiError('AUTHENTICATION_REQUIRED');
    requireAllowed(principal, action, standing?.role, forbidden);
    return next();
  });
}

/**
 * The caller's standing in the organization that owns a resource, checked for `action`. A
 * caller outside that organization gets `notFound`, exactly as if the resource did not exist.
 */
export async function requireStandingOver(
  ctx: Context & { principal: Caller },
  organizationId: string | undefined,
  action: Action,
  codes: { notFound: ErrorCode; forbidden: ErrorCode },
): Promise<Standing> {
  const standing = await standingIn(ctx, ctx.principal, organizationId);
  if (!standing) throw new ApiError(codes.notFound);
  requireAllowed(ctx.principal, action, standing.role, codes.forbidden);
  return standing;
}
