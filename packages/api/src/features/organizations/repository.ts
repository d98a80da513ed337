import { randomUUID } from 'node:crypto';
import { Repository } from '../../db/repository.js';
import { revokeKeysOfCreator } from '../api-keys/revocation.js';
import { applyChanges, recordEvent } from '../events/record.js';
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
  /** A new organization, its owner's membership and its event, in one flush. */
  async create(
    fields: { name: string; slug: string; logo: string | null },
    ownerId: string,
  ): Promise<Organization> {
    const owner = this.em.getReference(User, ownerId);
    const organization = this.em.create(Organization, { id: randomUUID(), ...fields, owner });
    this.em.create(Membership, { organization, user: owner, role: 'owner' });
    recordEvent(this.em, this.origin, {
      type: 'organization.created',
      organizationId: organization.id,
      target: { type: 'organization', id: organization.id },
      data: { name: fields.name, slug: fields.slug },
    });
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
    const changed = applyChanges(this.em, organization, changes);
    if (Object.keys(changed).length === 0) return organization;
    recordEvent(this.em, this.origin, {
      type: 'organization.updated',
      organizationId: id,
      target: { type: 'organization', id },
      data: { changes: changed },
    });
    await this.em.flush();
    return organization;
  }

  /**
   * Deletes the organization and, by the foreign keys' cascades in the same statement (so in
   * one transaction), everything that hangs off it: memberships, invitations, OAuth apps, their
   * secrets and tokens, webhooks and their deliveries. Its `organization.deleted` event is
   * written first, so that its webhooks' farewell jobs are queued from them as they were; the
   * jobs of deliveries still waiting go.
   */
  delete(id: string): Promise<void> {
    return this.em.transactional(async (em) => {
      const organization = await em.findOneOrFail(Organization, id);
      recordEvent(em, this.origin, {
        type: 'organization.deleted',
        organizationId: id,
        target: { type: 'organization', id },
        data: { name: organization.name, slug: organization.slug },
      });
      await em.flush();
      await em.execute(
        `select graphile_worker.remove_job('delivery:' || d.id)
           from webhook_deliveries d join webhooks w on w.id = d.webhook_id
          where w.organization_id = ? and d.status = 'pending'`,
        [id],
      );
      // Its apps go in the cascade: keys they made in other organizations end with them.
      await revokeKeysOfCreator(
        em,
        this.origin,
        { type: 'apps of', organizationId: id },
        'creator_deleted',
      );
      await em.nativeDelete(Organization, { id });
    });
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
