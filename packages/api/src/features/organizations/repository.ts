import { Repository } from '../../db/repository.js';
import { Membership } from '../memberships/entity.js';
import { User } from '../users/entity.js';
import { Organization } from './entity.js';

/** A person's place in an organization, as their list of organizations shows it. */
export interface JoinedRow {
  id: string;
  name: string;
  slug: string;
  role: Membership['role'];
  joined_at: string;
}

export class OrganizationRepository extends Repository {
  /** A new organization and its owner's membership, in one flush. */
  async create(
    fields: { name: string; slug: string; logo: string | null },
    ownerId: string,
  ): Promise<Organization> {
    const owner = this.em.getReference(User, ownerId);
    const organization = this.em.create(Organization, { ...fields, owner });
    this.em.create(Membership, { organization, user: owner, role: 'owner' });
    await this.em.flush();
    return organization;
  }

  async exists(id: string): Promise<boolean> {
    const { rowCount } = await this.sql.run(
      'organization-exists',
      'select 1 from organizations where id = $1',
      [id],
    );
    return rowCount > 0;
  }

  byId(id: string) {
    return this.em.findOneOrFail(Organization, id);
  }

  /** Changes what is given; `logo: null` clears the logo. */
  async update(id: string, changes: { name?: string | undefined; logo?: string | null }) {
    const organization = await this.em.findOneOrFail(Organization, id);
    if (changes.name !== undefined) organization.name = changes.name;
    if (changes.logo !== undefined) organization.logo = changes.logo;
    await this.em.flush();
    return organization;
  }

  /**
   * Deletes the organization and, by the foreign keys' cascades in the same statement (so in
   * one transaction), everything that hangs off it: memberships, invitations, OAuth apps, their
   * secrets and tokens.
   */
  async delete(id: string): Promise<void> {
    await this.em.nativeDelete(Organization, { id });
  }

  /**
   * The organizations `userId` belongs to, with their role and when they joined, oldest
   * first; only those `viewerId` belongs to as well, when given.
   */
  async joinedBy(userId: string, viewerId?: string | null): Promise<JoinedRow[]> {
    const { rows } = await this.sql.run<JoinedRow>(
      'organizations-joined',
      `select o.id, o.name, o.slug, m.role, m.created_at as joined_at
         from memberships m join organizations o on o.id = m.organization_id
        where m.user_id = $1
          and ($2::uuid is null or exists (
                select 1 from memberships v where v.user_id = $2 and v.organization_id = o.id))
        order by m.created_at, o.id`,
      [userId, viewerId ?? null],
    );
    return rows;
  }
}
