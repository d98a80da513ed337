import type { Role } from '@timbrix/shared/roles';
import { Repository } from '../../db/repository.js';
import { Membership } from './entity.js';

export interface MembershipView {
  organizationId: string;
  role: Role;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const toView = (row: { organization_id: string; role: Role }): MembershipView => ({
  organizationId: row.organization_id,
  role: row.role,
});

export class MembershipRepository extends Repository {
  /**
   * Where a person stands in an organization: read on every organization route, so it is a
   * prepared statement on the (user, organization) unique index. A malformed id is simply no
   * membership.
   */
  async of(userId: string, organizationId: string | undefined) {
    if (!organizationId || !UUID.test(organizationId)) return undefined;
    const { rows } = await this.sql.run<{ organization_id: string; role: Role }>(
      'membership-in',
      'select organization_id, role from memberships where user_id = $1 and organization_id = $2',
      [userId, organizationId],
    );
    return rows[0] && toView(rows[0]);
  }

  /** Up to two of a person's memberships: enough to tell none, one, or several. */
  async some(userId: string): Promise<MembershipView[]> {
    const { rows } = await this.sql.run<{ organization_id: string; role: Role }>(
      'some-memberships',
      'select organization_id, role from memberships where user_id = $1 limit 2',
      [userId],
    );
    return rows.map(toView);
  }

  /** A person's memberships with their organizations, oldest first. */
  ofUser(userId: string) {
    return this.em.find(
      Membership,
      { user: userId },
      { populate: ['organization'], orderBy: { createdAt: 'asc' } },
    );
  }

  async hasMemberWithEmail(organizationId: string, email: string): Promise<boolean> {
    return (await this.em.count(Membership, { organization: organizationId, user: { email } })) > 0;
  }
}
