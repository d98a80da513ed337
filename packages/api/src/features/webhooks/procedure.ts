import type { Action } from '@timbrix/shared/authorization';
import type { ErrorCode } from '../../errors/codes.js';
import { ApiError } from '../../errors/codes.js';
import { ORG_ERRORS, orgByIdProcedure, requirePermission, SCOPED_ERRORS } from '../../trpc.js';
import { webhookUrlProblem } from './delivery/addresses.js';

/** What every webhook route can answer with besides its own errors. */
export const WEBHOOK_ERRORS: ErrorCode[] = [
  ...ORG_ERRORS,
  ...SCOPED_ERRORS,
  'INVALID_INPUT',
  'ONLY_ADMINS_MANAGE_WEBHOOKS',
];

/** The organization's webhooks, for callers the table allows `action`. */
export const webhooksProcedure = (action: Action) =>
  orgByIdProcedure.use(requirePermission(action, 'ONLY_ADMINS_MANAGE_WEBHOOKS'));

/** One webhook of the organization, named by `webhookId`; another's is not found. */
export const webhookProcedure = (action: Action) =>
  webhooksProcedure(action).use(async ({ ctx, getRawInput, next }) => {
    const { webhookId } = ((await getRawInput()) ?? {}) as { webhookId?: unknown };
    const { organizationId } = ctx.standing;
    const webhook =
      typeof webhookId === 'string' ? await ctx.db.webhooks.byId(organizationId, webhookId) : null;
    if (!webhook) throw new ApiError('WEBHOOK_NOT_FOUND');
    return next({ ctx: { webhook } });
  });

/** Refuses a URL deliveries may not go to, under this server's network rule. */
export function requireDeliverableUrl(url: string | undefined, allowPrivateNetworks: boolean) {
  if (url === undefined) return;
  const problem = webhookUrlProblem(url, allowPrivateNetworks);
  if (problem) throw new ApiError('WEBHOOK_URL_NOT_ALLOWED', { message: problem });
}
