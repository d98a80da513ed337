import { type Action, can, type Role } from '@timbrix/shared/roles';
import { initTRPC, TRPCError } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { Overloaded } from './auth/passwords.js';
import type { Context } from './context.js';
import { type MembershipView, membershipIn, someMemberships } from './db/memberships.js';
import { formatError, type TrpcErrorShape, translateError } from './errors.js';
import { RateLimited } from './limits/rate-limiter.js';

export interface Meta extends OpenApiMeta {
  /** REST status on success, when not 200 (trpc-to-openapi would answer 200 for all). */
  successStatus?: 201 | 204;
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

export const publicProcedure = t.procedure.use(async ({ ctx, next }) => {
  const result = await next();
  if (!result.ok) {
    const { cause } = result.error;
    if (cause instanceof RateLimited) ctx.res.set(cause.headers());
    if (cause instanceof Overloaded) ctx.res.set('Retry-After', String(cause.retryAfterSeconds));
    throw translateError(result.error);
  }
  return result;
});

// The scheme is case-insensitive (RFC 9110 section 11.1).
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

/** A signed-in person: a valid session token in `Authorization: Bearer`. */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const token = BEARER.exec(ctx.req.headers.authorization ?? '')?.[1];
  const session = token ? await ctx.services.sessions.verify(token) : null;
  if (!session) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: 'Authentication required: send a valid session token as Authorization: Bearer',
    });
  }
  return next({ ctx: { session } });
});

export const ORGANIZATION_HEADER = 'x-organization-id';

/** No organization named: the caller's only one. */
const SOLE = Symbol('the caller’s only organization');

type OrganizationSource = (input: {
  rawInput: unknown;
  header: string | undefined;
}) => string | undefined | typeof SOLE;

function memberOf(source: OrganizationSource) {
  return authedProcedure.use(async ({ ctx, getRawInput, next }) => {
    const header = ctx.req.headers[ORGANIZATION_HEADER];
    const wanted = source({
      rawInput: await getRawInput(),
      header: Array.isArray(header) ? header[0] : header,
    });
    const { sql } = ctx.services;
    const userId = ctx.session.userId;

    let membership: MembershipView | undefined;
    if (wanted === SOLE) {
      const memberships = await someMemberships(sql, userId);
      if (memberships.length > 1) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: 'You belong to several organizations: name one in the X-Organization-Id header',
        });
      }
      membership = memberships[0];
      if (!membership) {
        throw new TRPCError({
          code: 'FORBIDDEN',
          message: 'You belong to no organization yet: create one, or accept an invitation',
        });
      }
    } else {
      membership = await membershipIn(sql, userId, wanted);
    }
    // Unknown, malformed and not-yours look alike: none of them says what exists.
    if (!membership) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: 'You are not a member of this organization',
      });
    }
    return next({ ctx: { membership } });
  });
}

/** In the organization named by `X-Organization-Id`, or the caller's only one. */
export const orgProcedure = memberOf(({ header }) => header ?? SOLE);

/** In the organization named by the `organizationId` path parameter (the input, on tRPC). */
export const orgByIdProcedure = memberOf(({ rawInput }) => {
  const id = (rawInput as { organizationId?: unknown } | undefined)?.organizationId;
  return typeof id === 'string' ? id : undefined;
});

/**
 * The caller's role in the organization that owns a resource, checked for `action`. A caller
 * outside that organization gets NOT_FOUND, exactly as if the resource did not exist.
 */
export async function requireRoleOver(
  ctx: Context & { session: { userId: string } },
  organizationId: string | undefined,
  action: Action,
  messages: { notFound: string; forbidden: string },
): Promise<{ organizationId: string; role: Role }> {
  const membership = await membershipIn(ctx.services.sql, ctx.session.userId, organizationId);
  if (!membership) throw new TRPCError({ code: 'NOT_FOUND', message: messages.notFound });
  if (!can(membership.role, action)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: messages.forbidden });
  }
  return membership;
}

/** Lets through only roles that the permission table allows `action`. */
export function requirePermission(action: Action, message: string) {
  return t.middleware(async ({ ctx, next }) => {
    const role = (ctx as { membership?: { role: Role } }).membership?.role;
    if (!role || !can(role, action)) throw new TRPCError({ code: 'FORBIDDEN', message });
    return next();
  });
}
