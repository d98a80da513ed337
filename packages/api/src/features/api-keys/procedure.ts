import type { ErrorCode } from '../../errors/codes.js';
import { ApiError } from '../../errors/codes.js';
import { ORG_ERRORS, orgByIdProcedure, requirePermission, SCOPED_ERRORS } from '../../trpc.js';

/** What every API key route can answer with besides its own errors. */
export const API_KEY_ERRORS: ErrorCode[] = [
  ...ORG_ERRORS,
  ...SCOPED_ERRORS,
  'INVALID_INPUT',
  'ONLY_ADMINS_MANAGE_API_KEYS',
];

/** The organization's API keys, for its owners and admins (and tokens the table allows). */
export const apiKeysProcedure = orgByIdProcedure.use(
  requirePermission('apiKeys:manage', 'ONLY_ADMINS_MANAGE_API_KEYS'),
);

/** One key of the organization, named by `keyId`; another organization's is not found. */
export const apiKeyProcedure = apiKeysProcedure.use(async ({ ctx, getRawInput, next }) => {
  const { keyId } = ((await getRawInput()) ?? {}) as { keyId?: unknown };
  const { organizationId } = ctx.standing;
  const key = typeof keyId === 'string' ? await ctx.db.apiKeys.byId(organizationId, keyId) : null;
  if (!key) throw new ApiError('API_KEY_NOT_FOUND');
  return next({ ctx: { key } });
});
