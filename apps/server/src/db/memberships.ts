import type { Role } from '@timbrix/shared/roles';
import type { Statements } from './statements.js';

export interface MembershipView {
  organizationId: string;
  role: Role;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Where a person stands in an organization: read on every organization route, so it is a
 * prepared statement on the (user, organization) unique index. A malformed id is simply no
 * membership.
 */
export async function membershipIn(
  sql: Statements,
  userId: string,
  organizationId: string | undefined,
): Promise<MembershipView | undefined> {
  if (!organizationId || !UUID.test(organizationId)) return undefined;
  const { rows } = await sql.run<{ organization_id: string; role: Role }>(
    'membership-in',
    'select organization_id, role from memberships where user_id = $1 and organization_id = $2',
    [userId, organizationId],
  );
  return rows[0] && { organizationId: rows[0].organization_id, role: rows[0].role };
}

/** Up to two of a person's memberships: enough to tell none, one, or several. */
export async function someMemberships(sql: Statements, userId: string): Promise<MembershipView[]> {
  const { rows } = await sql.run<{ organization_id: string; role: Role }>(
    'some-memberships',
    'select organization_id, role from memberships where user_id = $1 limit 2',
    [userId],
  );
  return rows.map((row) => ({ organizationId: row.organization_id, role: row.role }));
}
