import { randomUUID } from 'node:crypto';
import type { InvitableRole } from '@timbrix/shared/roles';
import { Repository } from '../../db/repository.js';
import { ApiError } from '../../errors/codes.js';
import { recordEvent } from '../events/record.js';
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
      const invitation = em.create(Invitation, { id: randomUUID(), ...fields, organization });
      recordEvent(em, this.origin, {
        type: 'invite.created',
        organizationId: organization,
        target: { type: 'invitation', id: invitation.id },
        data: { email, role: fields.role, expiresAt: fields.expiresAt.toISOString() },
      });
      return invitation;
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
      const organizationId = invitation.organization.id;
      const membership = em.create(Membership, {
        id: randomUUID(),
        organization: organizationId,
        user: userId,
        role: invitation.role,
      });
      recordEvent(em, this.origin, {
        type: 'invite.accepted',
        organizationId,
        target: { type: 'invitation', id: invitation.id },
        data: { userId, role: invitation.role },
      });
      recordEvent(em, this.origin, {
        type: 'member.added',
        organizationId,
        target: { type: 'member', id: membership.id },
        data: { userId, role: invitation.role, invitationId: invitation.id },
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
      if (deleted > 0) {
        recordEvent(em, this.origin, {
          type: 'invite.cancelled',
          organizationId,
          target: { type: 'invitation', id },
        });
      }
      return deleted > 0;
    });
  }
}
