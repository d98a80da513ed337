import {
  ACTIONS,
  type Action,
  type ActionRule,
  EVERY_ORGANIZATION_SCOPES,
  ORGANIZATION_CREDENTIAL_ROLE,
} from '@timbrix/shared/authorization';
import type { Context } from './context.js';
import type { StandingHold } from './features/memberships/repository.js';
import { isUuid } from './lib/ids.js';
import type { Caller, Standing } from './principals.js';

export type { Standing } from './principals.js';

/**
 * Whether an app's token or an API key stands in every organization (as a platform
 * administrator): only a platform administrator can have given it such a scope.
 */
export const reachesEveryOrganization = (caller: Caller) =>
  caller.kind !== 'session' &&
  caller.userId === null &&
  caller.scopes.some((scope) => EVERY_ORGANIZATION_SCOPES.includes(scope));

/**
 * Where `caller` stands in `organizationId`, or undefined if nowhere: a person by their
 * membership (through a person's token, only in its app's organization); an app's token or an
 * API key as an admin of its own organization, or of any organization with a scope that
 * reaches every one. Malformed ids stand nowhere, without a lookup.
 */
export async function standingIn(
  ctx: Pick<Context, 'db'>,
  caller: Caller,
  organizationId: string | undefined,
): Promise<Standing | undefined> {
  if (!isUuid(organizationId)) return undefined;
  // The database keeps ids lower-case; a UUID may come in either case.
  organizationId = organizationId.toLowerCase();
  if (caller.kind === 'session') return ctx.db.memberships.of(caller.userId, organizationId);
  if (caller.userId !== null) {
    // The person authorized an app of one organization: their token acts there only.
    if (organizationId !== caller.organizationId) return undefined;
    return ctx.db.memberships.of(caller.userId, organizationId);
  }
  const standsIn =
    organizationId === caller.organizationId ||
    (reachesEveryOrganization(caller) && (await ctx.db.organizations.exists(organizationId)));
  return standsIn
    ? { organizationId, role: ORGANIZATION_CREDENTIAL_ROLE, membershipId: null }
    : undefined;
}

/**
 * What a write by `standing` must still hold when it commits to be allowed `action`: the
 * person's membership, with a role the table allows; nothing for an app's token or a key.
 */
export const holdFor = (standing: Standing, action: Action): StandingHold | null =>
  standing.membershipId
    ? {
        membershipId: standing.membershipId,
        organizationId: standing.organizationId,
        roles: (ACTIONS[action] as ActionRule).roles ?? [],
      }
    : null;
