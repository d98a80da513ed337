import { type Action, can, type Role } from '@timbrix/shared/roles';
import { initTRPC } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import type { Context, UserPrincipal } from './context.js';
import { ApiError, ERRORS, type ErrorCode } from './errors/codes.js';
import { formatError, type TrpcErrorShape } from './errors/format.js';
import { apiErrorFrom } from './errors/translate.js';
import type { MembershipView } from './features/memberships/repository.js';

/** Headers a successful answer may carry: the page links, or the caller's rate limit. */
export type SuccessHeader = 'Link' | 'RateLimit';

export interface Meta extends OpenApiMeta {
  /** REST status on success, when not 200 (trpc-to-openapi would answer 200 for all). */
  successStatus?: 201 | 204;
  /** Every error code the procedure can answer with; its documented errors come from them. */
  errors?: ErrorCode[];
  successHeaders?: SuccessHeader[];
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
  openapi: Omit<NonNullable<OpenApiMeta['openapi']>, 'errorResponses'>,
  errors: ErrorCode[],
  successStatus?: 201 | 204,
  successHeaders?: SuccessHeader[],
): Meta {
  const byStatus: Record<number, string[]> = {};
  for (const code of new Set(errors)) {
    const { status, message } = ERRORS[code];
    byStatus[status] = [...(byStatus[status] ?? []), message];
  }
  const errorResponses = Object.fromEntries(
    Object.entries(byStatus).map(([status, messages]) => [status, messages.join(' / ')]),
  );
  return { openapi: { ...openapi, errorResponses }, errors, successStatus, successHeaders };
}

/**
 * Every procedure starts here: whatever fails below becomes an API error in this one place
 * (see `apiErrorFrom`), and the headers it carries (Retry-After, RateLimit-*) join the answer.
 */
export const publicProcedure = t.procedure.use(async ({ ctx, next }) => {
  const result = await next();
  if (result.ok) return result;
  const mapped = result.error instanceof ApiError ? result.error : apiErrorFrom(result.error.cause);
  if (!mapped) throw result.error;
  Object.assign(ctx.response.headers, mapped.headers);
  throw mapped;
});

/** Errors every signed-in procedure can answer with. */
export const AUTHED_ERRORS: ErrorCode[] = ['AUTHENTICATION_REQUIRED'];
/** Errors every procedure in a named organization can answer with. */
export const ORG_ERRORS: ErrorCode[] = [...AUTHED_ERRORS, 'NOT_A_MEMBER'];

/** A signed-in person. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.principal.kind !== 'user') throw new ApiError('AUTHENTICATION_REQUIRED');
  const principal: UserPrincipal = ctx.principal;
  return next({ ctx: { principal } });
});

/** No organization named: the caller's only one. */
const SOLE = Symbol('the caller’s only organization');

type OrganizationSource = (input: {
  rawInput: unknown;
  named: string | undefined;
}) => string | undefined | typeof SOLE;

function memberOf(source: OrganizationSource) {
  return authedProcedure.use(async ({ ctx, getRawInput, next }) => {
    const wanted = source({ rawInput: await getRawInput(), named: ctx.organizationId });
    const { memberships } = ctx.db;
    const userId = ctx.principal.userId;

    let membership: MembershipView | undefined;
    if (wanted === SOLE) {
      const some = await memberships.some(userId);
      if (some.length > 1) throw new ApiError('SEVERAL_ORGANIZATIONS');
      membership = some[0];
      if (!membership) throw new ApiError('NO_ORGANIZATION');
    } else {
      membership = await memberships.of(userId, wanted);
    }
    // Unknown, malformed and not-yours look alike: none of them says what exists.
    if (!membership) throw new ApiError('NOT_A_MEMBER');
    return next({ ctx: { membership } });
  });
}

/** In the organization the caller names (X-Organization-Id), or the caller's only one. */
export const orgProcedure = memberOf(({ named }) => named ?? SOLE);

/** In the organization named by the `organizationId` path parameter (the input, on tRPC). */
export const orgByIdProcedure = memberOf(({ rawInput }) => {
  const id = (rawInput as { organizationId?: unknown } | undefined)?.organizationId;
  return typeof id === 'string' ? id : undefined;
});

/**
 * The caller's role in the organization that owns a resource, checked for `action`. A caller
 * outside that organization gets `notFound`, exactly as if the resource did not exist.
 */
export async function requireRoleOver(
  ctx: Context & { principal: UserPrincipal },
  organizationId: string | undefined,
  action: Action,
  codes: { notFound: ErrorCode; forbidden: ErrorCode },
): Promise<MembershipView> {
  const membership = await ctx.db.memberships.of(ctx.principal.userId, organizationId);
  if (!membership) throw new ApiError(codes.notFound);
  if (!can(membership.role, action)) throw new ApiError(codes.forbidden);
  return membership;
}

/** Lets through only roles that the permission table allows `action`. */
export function requirePermission(action: Action, forbidden: ErrorCode) {
  return t.middleware(async ({ ctx, next }) => {
    const role = (ctx as { membership?: { role: Role } }).membership?.role;
    if (!role || !can(role, action)) throw new ApiError(forbidden);
    return next();
  });
}
