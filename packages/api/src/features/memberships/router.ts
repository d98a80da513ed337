import { changeRoleInput, listMembersInput, member, memberIdInput } from '@timbrix/shared/schemas';
import { z } from 'zod';
import { ApiError } from '../../errors/codes.js';
import { pageOf } from '../../lib/pages.js';
import {
  ORG_ERRORS,
  operation,
  orgByIdProcedure,
  requirePermission,
  router,
  SCOPED_ERRORS,
} from '../../trpc.js';
import { removal, requireMayRemoveSomeone, roleChange } from './policy.js';
import type { MemberRow } from './repository.js';

const memberView = (row: MemberRow) => ({
  id: row.id,
  role: row.role,
  joinedAt: new Date(row.created_at).toISOString(),
  user: { id: row.user_id, email: row.email, name: row.name },
});

const MEMBER_ERRORS = [...ORG_ERRORS, ...SCOPED_ERRORS, 'INVALID_INPUT' as const];

export const membersRouter = router({
  list: orgByIdProcedure
    .use(requirePermission('members:read', 'NOT_A_MEMBER'))
    .meta(
      operation(
        {
          method: 'GET',
          path: '/organizations/{organizationId}/members',
          tags: ['members'],
          summary: 'The organization’s members, the longest-standing first',
          description:
            'Pages with `limit` and `after`; the next page’s URL is in the `Link` header (rel="next").',
          action: 'members:read',
        },
        [...MEMBER_ERRORS, 'BAD_CURSOR'],
        undefined,
        ['Link'],
      ),
    )
    .input(listMembersInput)
    .output(z.array(member))
    .query(async ({ ctx, input }) => {
      const { organizationId } = ctx.standing;
      const rows = await ctx.db.memberships.page(organizationId, input.limit + 1, input.after);
      if (!rows) throw new ApiError('BAD_CURSOR');
      const path = `/api/organizations/${organizationId}/members`;
      const page = pageOf(ctx, path, { limit: input.limit, rows, idOf: (row) => row.id });
      return page.map(memberView);
    }),

  changeRole: orgByIdProcedure
    .use(requirePermission('members:manage', 'ONLY_ADMINS_MANAGE_MEMBERS'))
    .meta(
      operation(
        {
          method: 'PUT',
          path: '/organizations/{organizationId}/members/{memberId}/role',
          tags: ['members'],
          summary: 'Make a member an admin, or an admin a member',
          description:
            'The owner’s role never changes; only the owner changes an admin’s role. Two changes of one member are applied one after the other, each checked as things then stand.',
          action: 'members:manage',
        },
        [
          ...MEMBER_ERRORS,
          'ONLY_ADMINS_MANAGE_MEMBERS',
          'ONLY_OWNER_MANAGES_ADMINS',
          'OWNER_IS_FIXED',
          'MEMBER_NOT_FOUND',
        ],
      ),
    )
    .input(changeRoleInput)
    .output(member)
    .mutation(async ({ ctx, input }) => {
      const { standing } = ctx;
      const { organizationId } = standing;
      const decide = roleChange(ctx.principal, standing, input.role);
      const changed = await ctx.db.memberships.change(
        organizationId,
        input.memberId,
        standing.membershipId,
        decide,
      );
      const row = changed && (await ctx.db.memberships.member(organizationId, input.memberId));
      if (!row) throw new ApiError('MEMBER_NOT_FOUND');
      return memberView(row);
    }),

  remove: orgByIdProcedure
    .use(({ ctx, next }) => {
      requireMayRemoveSomeone(ctx.principal, ctx.standing);
      return next();
    })
    .meta(
      operation(
        {
          method: 'DELETE',
          path: '/organizations/{organizationId}/members/{memberId}',
          tags: ['members'],
          summary: 'Remove a member, or leave (your own membership)',
          description:
            'Owners and admins remove members; only the owner removes an admin; the owner is never removed and cannot leave (the owner deletes the organization instead). What the removed person could do here stops at once; the apps they registered stay, as the organization’s.',
          successDescription: 'Removed',
          action: 'members:manage',
        },
        [
          ...MEMBER_ERRORS,
          'ONLY_ADMINS_MANAGE_MEMBERS',
          'ONLY_OWNER_MANAGES_ADMINS',
          'OWNER_IS_FIXED',
          'MEMBER_NOT_FOUND',
          'PERSON_REQUIRED',
        ],
        204,
      ),
    )
    .input(memberIdInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      const { standing } = ctx;
      const removed = await ctx.db.memberships.change(
        standing.organizationId,
        input.memberId,
        standing.membershipId,
        removal(ctx.principal, standing),
      );
      if (!removed) throw new ApiError('MEMBER_NOT_FOUND');
    }),
});
