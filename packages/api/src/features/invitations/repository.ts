import type { InvitableRole } from '@timbrix/shared/roles';
import { Repository } from '../../db/repository.js';
import { ApiError } from '../../errors/codes.js';
import { Membership } from '../memberships/entity.js';
import { holdStanding, type StandingHold } from '../memberships/repository.js';
import { Invitation } from './entity.js';

export class InvitationRepository extends Repository {
  /**
   * A new invitation, replacing the pending one for the same address, in one transaction,
   * written only while the inviter's standing holds.
   */
  create(
    fields: {
      organizationId: string;
      email: string;
      role: InvitableRole;
      tokenHash: string;
      invitedBy: string | null;
      expiresAt: Date;
    },
    hold: StandingHold | null,
  ): Promise<Invitation> {
    const { organizationId: organization, email } = fields;
    return this.em.transactional(async (em) => {
      await holdStanding(em, hold);
      await em.nativeDelete(Invitation, { organization, email, acceptedAt: null });
      return em.create(Invitation, { ...fields, organization });
    });
  }

  pending(tokenHash: string) {
    return this.em.findOne(Invitation, { tokenHash, acceptedAt: null });
  }

  /** Marks the invitation used and adds the membership; two accepts of one cannot both win. */
  accept(invitation: Invitation, userId: string): Promise<void> {
    return this.em.transactional(async (em) => {
      const claimed = await em.nativeUpdate(
        Invitation,
        { id: invitation.id, acceptedAt: null },
        { acceptedAt: new Date() },
      );
      if (claimed !== 1) {
        throw new ApiError('INVITATION_NOT_FOUND', {
          message: 'This invitation has already been used',
        });
      }
      em.create(Membership, {
        organization: invitation.organization.id,
        user: userId,
        role: invitation.role,
      });
    });
  }

  /** The organization's invitations still waiting for an answer, newest first. */
  pendingOf(organizationId: string) {
    return this.em.find(
      Invitation,
      { organization: organizationId, acceptedAt: null, expiresAt: { $gt: new Date() } },
      { orderBy: { createdAt: 'desc', id: 'desc' } },
    );
  }

  /** Cancels a pending invitation of the organization; whether there was one. */
  cancel(organizationId: string, id: string, hold: StandingHold | null): Promise<boolean> {
    return this.em.transactional(async (em) => {
      await holdStanding(em, hold);
      const deleted = await em.nativeDelete(Invitation, {
        id,
        organization: organizationId,
        acceptedAt: null,
      });
      return deleted > 0;
    });
  }
}
