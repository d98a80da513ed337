import { auditEvent, auditLogInput } from '@timbrix/shared/schemas';
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
import type { Event } from './entity.js';

function auditView(event: Event): z.infer<typeof auditEvent> {
  return {
    id: event.id,
    type: event.type,
    createdAt: event.createdAt.toISOString(),
    organizationId: event.organizationId,
    actor: event.actorType && event.actorId ? { type: event.actorType, id: event.actorId } : null,
    requestId: event.requestId ?? null,
    ip: event.ip ?? null,
    userAgent: event.userAgent ?? null,
    target: { type: event.targetType, id: event.targetId },
    data: event.data,
  };
}

export const auditLogRouter = router({
  list: orgByIdProcedure
    .use(requirePermission('auditLog:read', 'ONLY_ADMINS_READ_AUDIT_LOG'))
    .meta(
      operation(
        {
          method: 'GET',
          path: '/organizations/{organizationId}/audit-log',
          tags: ['audit log'],
          action: 'auditLog:read',
          summary: 'What happened in the organization, newest first',
          description:
            'Every change, with who made it (a person, an app, an API key; null for the server), from where (request id, address, user agent) and, for updates, what changed. Filter by `type`, `actorId` and a time range (`since` inclusive, `until` exclusive). Pages with `limit` and `after`; the next page’s URL is in the `Link` header (rel="next"). Kept for AUDIT_RETENTION_DAYS (365 by default), also after the organization is deleted.',
        },
        [
          ...ORG_ERRORS,
          ...SCOPED_ERRORS,
          'INVALID_INPUT',
          'ONLY_ADMINS_READ_AUDIT_LOG',
          'BAD_CURSOR',
        ],
        undefined,
        ['Link'],
      ),
    )
    .input(auditLogInput)
    .output(z.array(auditEvent))
    .query(async ({ ctx, input }) => {
      const { organizationId } = ctx.standing;
      const filters = {
        type: input.type,
        actorId: input.actorId,
        since: input.since ? new Date(input.since) : undefined,
        until: input.until ? new Date(input.until) : undefined,
      };
      const rows = await ctx.db.events.page(organizationId, filters, input.limit + 1, input.after);
      if (!rows) throw new ApiError('BAD_CURSOR');
      const path = `/api/organizations/${organizationId}/audit-log`;
      const { type, actorId, since, until } = input;
      const page = pageOf(ctx, path, {
        limit: input.limit,
        rows,
        idOf: (row) => row.id,
        filters: { type, actorId, since, until },
      });
      return page.map(auditView);
    }),
});
