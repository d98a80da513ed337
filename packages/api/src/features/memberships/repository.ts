import type { EntityManager } from '@mikro-orm/postgresql';
import { ACTIONS } from '@timbrix/shared/authorization';
import type { Role } from '@timbrix/shared/roles';
import { Repository } from '../../db/repository.js';
import { ApiError } from '../../errors/codes.js';
import { isUuid } from '../../lib/ids.js';
import type { Standing } from '../../principals.js';
import { revokeKeysOfCreator } from '../api-keys/revocation.js';
import { revokeAuthorizationsInOrganization } from '../authorizations/revocation.js';
import { recordEvent } from '../events/record.js';
import { Invitation } from '../invitations/entity.js';
import { Membership } from './entity.js';

interface MembershipRow {
  id: string;
  organization_id: string;
  role: Role;
}

/** A member as the members list shows one. Timestamps as the driver reads them: text. */
export interface MemberRow {
  id: string;
  role: Role;
  created_at: string;
  user_id: string;
  email: string;
  name: string | null;
}

/** A membership locked for a change, with the person it is of. */
export interface LockedMembership {
  id: string;
  role: Role;
  user_id: string;
}

/** What a change decides to do with the locked target membership. */
export type MembershipChange = { role: Role } | 'remove';

/** A person's standing that a write needs still to hold when it commits. */
export interface StandingHold {
  membershipId: string;
  organizationId: string;
  roles: readonly Role[];
}

/**
 * Within a transaction, before a write: holds the person's membership (a share lock until
 * commit, so that a removal or a demotion waits for the write) if it still stands with one of
 * the roles; else refuses as if they were no member. The change that answered first wins.
 * Nothing to hold (null) for a caller with no membership, such as an app's token.
 */
export async function holdStanding(em: EntityManager, hold: StandingHold | null): Promise<void> {
  if (!hold) return;
  const held = await em.execute(
    `select 1 from memberships
      where id = ? and organization_id = ? and role = any(?::text[]) for share`,
    [hold.membershipId, hold.organizationId, `{${hold.roles.join(',')}}`],
  );
  if (held.length === 0) throw new ApiError('NOT_A_MEMBER');
}

/** The roles that may invite: a membership leaving them takes its pending invitations along. */
const MAY_INVITE: readonly Role[] = ACTIONS['members:manage'].roles;

const MEMBER_COLUMNS = 'm.id, m.role, m.created_at, u.id as user_id, u.email, u.name';

const toStanding = (row: MembershipRow): Standing => ({
  organizationId: row.organization_id,
  role: row.role,
  membershipId: row.id,
});

export class MembershipRepository extends Repository {
  /**
   * Where a person stands in an organization: read on every organization route, so it is a
   * prepared statement on the (user, organization) unique index. A malformed id is simply no
   * membership.
   */
  async of(userId: string, organizationId: string | undefined) {
    if (!isUuid(organizationId)) return undefined;
    const { rows } = await this.sql.run<MembershipRow>(
      'membership-in',
      'select id, organization_id, role from memberships where user_id = $1 and organization_id = $2',
      [userId, organizationId],
    );
    return rows[0] && toStanding(rows[0]);
  }

  /** Up to two of a person's memberships: enough to tell none, one, or several. */
  async some(userId: string): Promise<Standing[]> {
    const { rows } = await this.sql.run<MembershipRow>(
      'some-memberships',
      'select id, organization_id, role from memberships where user_id = $1 limit 2',
      [userId],
    );
    return rows.map(toStanding);
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

  /**
   * A page of an organization's members, oldest first (the owner leads), after the member
   * `after` (the row's id; null when that id is no member of the organization).
   */
  async page(organizationId: string, limit: number, after?: string): Promise<MemberRow[] | null> {
    if (after !== undefined && !isUuid(after)) return null;
    const { rows } = await this.sql.run<MemberRow>(
      'members-page',
      `select ${MEMBER_COLUMNS}
         from memberships m join users u on u.id = m.user_id
        where m.organization_id = $1
          and ($2::uuid is null or (m.created_at, m.id) > (
                select created_at, id from memberships where id = $2 and organization_id = $1))
        order by m.created_at, m.id
        limit $3`,
      [organizationId, after ?? null, limit],
    );
    // No rows after a cursor: the end of the list, or a cursor that is no member here.
    if (after !== undefined && rows.length === 0) {
      const { rowCount } = await this.sql.run(
        'member-exists',
        'select 1 from memberships where id = $1 and organization_id = $2',
        [after, organizationId],
      );
      if (rowCount === 0) return null;
    }
    return rows;
  }

  /** One member of an organization, as the members list shows them. */
  async member(organizationId: string, id: string): Promise<MemberRow | undefined> {
    const { rows } = await this.sql.run<MemberRow>(
      'member',
      `select ${MEMBER_COLUMNS} from memberships m join users u on u.id = m.user_id
        where m.id = $1 and m.organization_id = $2`,
      [id, organizationId],
    );
    return rows[0];
  }

  /**
   * Changes (or removes) the membership `id` of `organizationId` in one transaction (with the
   * pending invitations its person sent, once they may no longer invite), with it
   * and the acting person's own membership locked (in id order, so that two changes never
   * deadlock): `decide` sees both as they stand, so that no concurrent change (a demotion of
   * the actor, another change of the target) can slip between its checks and the write.
   * Returns what was decided; undefined if `id` is no member there.
   */
  change(
    organizationId: string,
    id: string,
    actorId: string | null,
    decide: (target: LockedMembership, actor: LockedMembership | undefined) => MembershipChange,
  ): Promise<MembershipChange | undefined> {
    if (!isUuid(id)) return Promise.resolve(undefined);
    // The database keeps ids lower-case; a UUID may come in either case.
    const targetId = id.toLowerCase();
    return this.em.transactional(async (em) => {
      const locked = await em.execute<LockedMembership[]>(
        `select id, role, user_id from memberships
          where organization_id = ? and id in (?, ?) order by id for update`,
        [organizationId, targetId, actorId ?? targetId],
      );
      const target = locked.find((row) => row.id === targetId);
      if (!target) return undefined;
      const change = decide(
        target,
        locked.find((row) => row.id === actorId),
      );
      const event = { organizationId, target: { type: 'member', id: targetId } } as const;
      if (change === 'remove') {
        await em.nativeDelete(Membership, { id: targetId });
        await revokeAuthorizationsInOrganization(em, target.user_id, organizationId);
        const creator = { type: 'user', id: target.user_id, organizationId } as const;
        await revokeKeysOfCreator(em, this.origin, creator, 'creator_removed');
        recordEvent(em, this.origin, {
          ...event,
          type: 'member.removed',
          data: { userId: target.user_id, role: target.role, left: targetId === actorId },
        });
      } else if (change.role !== target.role) {
        await em.nativeUpdate(Membership, { id: targetId }, { role: change.role });
        recordEvent(em, this.origin, {
          ...event,
          type: 'member.role_updated',
          data: {
            userId: target.user_id,
            changes: { role: { from: target.role, to: change.role } },
          },
        });
      }
      // Invitations are what an inviter could still do later: they go with the power to invite.
      if (change === 'remove' || !MAY_INVITE.includes(change.role)) {
        await em.nativeDelete(Invitation, {
          organization: organizationId,
          invitedBy: target.user_id,
          acceptedAt: null,
        });
      }
      return change;
    });
  }
}
