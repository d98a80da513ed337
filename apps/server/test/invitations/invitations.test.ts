import { isTimbrixSecret } from '@timbrix/shared/secrets';
import { describe, expect, it } from 'vitest';
import { api, signUp, uniqueEmail, uniqueSlug, useTestServer } from '../harness/index.js';

const server = useTestServer();
const origin = () => server().url;

describe('invitations', () => {
  async function setup() {
    const owner = await signUp(origin());
    const org = await api(origin(), 'POST', '/organizations', {
      token: owner.token,
      body: { name: 'Invites', slug: uniqueSlug() },
    });
    const invite = (token: string, email: string, role = 'member', organizationId = org.body.id) =>
      api(origin(), 'POST', `/organizations/${organizationId}/members/invite`, {
        token,
        body: { email, role },
      });
    const accept = (token: string, inviteToken: string) =>
      api(origin(), 'POST', '/invites/accept', { token, body: { token: inviteToken } });
    return { owner, organizationId: org.body.id as string, invite, accept };
  }

  it('invites for 7 days and lets the invitee join with the token', async () => {
    const { owner, organizationId, invite, accept } = await setup();
    const invitee = await signUp(origin());
    const response = await invite(owner.token, invitee.email, 'admin');
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      email: invitee.email,
      role: 'admin',
      token: expect.toSatisfy((token: string) => isTimbrixSecret(token, 'invitation')),
      expiresAt: expect.any(String),
    });
    const days = (Date.parse(response.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
    expect(await server().dump()).not.toContain(response.body.token);

    const joined = await accept(invitee.token, response.body.token);
    expect(joined.status).toBe(200);
    expect(joined.body).toEqual({ organizationId, role: 'admin' });
    const me = await api(origin(), 'GET', '/users/me', { token: invitee.token });
    expect(me.body.organizations).toEqual([
      expect.objectContaining({ id: organizationId, role: 'admin' }),
    ]);
  });

  it('lets an admin invite, but not a member or an outsider', async () => {
    const { owner, organizationId, invite, accept } = await setup();
    const [admin, member, outsider] = await Promise.all([
      signUp(origin()),
      signUp(origin()),
      signUp(origin()),
    ]);
    await accept(admin.token, (await invite(owner.token, admin.email, 'admin')).body.token);
    await accept(member.token, (await invite(owner.token, member.email)).body.token);

    expect((await invite(admin.token, uniqueEmail())).status).toBe(201);
    const byMember = await invite(member.token, uniqueEmail());
    expect(byMember.status).toBe(403);
    expect(byMember.body.message).toBe('Only owners and admins can invite members');
    expect((await invite(outsider.token, uniqueEmail())).status).toBe(403);
    expect((await invite(owner.token, uniqueEmail(), 'member', crypto.randomUUID())).status).toBe(
      403,
    );
    expect((await invite(owner.token, uniqueEmail(), 'member', 'not-a-uuid')).status).toBe(403);
    expect(
      (
        await api(origin(), 'POST', `/organizations/${organizationId}/members/invite`, {
          body: { email: uniqueEmail(), role: 'member' },
        })
      ).status,
    ).toBe(401);
  });

  it('answers 400 for a bad role or email, including owner', async () => {
    const { owner, invite } = await setup();
    for (const [email, role] of [
      [uniqueEmail(), 'owner'],
      [uniqueEmail(), 'superuser'],
      ['not-an-email', 'member'],
    ] as const) {
      const response = await invite(owner.token, email, role);
      expect(response.status, `${email} ${role}`).toBe(400);
    }
  });

  it('answers 409 when the email is already a member', async () => {
    const { owner, invite } = await setup();
    const response = await invite(owner.token, owner.email.toUpperCase());
    expect(response.status).toBe(409);
  });

  it('replaces a pending invitation for the same email', async () => {
    const { owner, organizationId, invite, accept } = await setup();
    const invitee = await signUp(origin());
    const first = await invite(owner.token, invitee.email, 'admin');
    const second = await invite(owner.token, invitee.email, 'member');
    expect(second.status).toBe(201);
    const pending = await server().sql(
      'select role from invitations where organization_id = $1 and email = $2',
      [organizationId, invitee.email],
    );
    expect(pending).toEqual([{ role: 'member' }]);
    expect((await accept(invitee.token, first.body.token)).status).toBe(404);
    expect((await accept(invitee.token, second.body.token)).body.role).toBe('member');
  });

  it('refuses unknown, used, expired and someone else’s invitations, and nobody joins', async () => {
    const { owner, organizationId, invite, accept } = await setup();
    const invitee = await signUp(origin());
    const stranger = await signUp(origin());
    const { body } = await invite(owner.token, invitee.email);

    const notYours = await accept(stranger.token, body.token);
    expect(notYours.status).toBe(403);
    expect((await accept(invitee.token, 'inv_unknown')).status).toBe(404);

    await server().sql(
      "update invitations set expires_at = now() - interval '1 second' where id = $1",
      [body.id],
    );
    const expired = await accept(invitee.token, body.token);
    expect(expired.status).toBe(400);
    expect(expired.body.message).toMatch(/expired/);

    const members = () =>
      server().sql('select user_id from memberships where organization_id = $1', [organizationId]);
    expect(await members()).toHaveLength(1);

    const fresh = await invite(owner.token, invitee.email);
    expect((await accept(invitee.token, fresh.body.token)).status).toBe(200);
    const reused = await accept(invitee.token, fresh.body.token);
    expect(reused.status).toBe(404);
    expect(await members()).toHaveLength(2);
  });

  it('gives racing invitations of one email a single pending invitation, never a 500', async () => {
    const { owner, organizationId, invite } = await setup();
    const email = uniqueEmail('racing-invite');
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => invite(owner.token, email)),
    );
    for (const response of responses) expect([201, 409]).toContain(response.status);
    const pending = await server().sql(
      'select id from invitations where organization_id = $1 and email = $2 and accepted_at is null',
      [organizationId, email],
    );
    expect(pending).toHaveLength(1);
  });

  it('lets two racing accepts of one token join once', async () => {
    const { owner, invite, accept } = await setup();
    const invitee = await signUp(origin());
    const { body } = await invite(owner.token, invitee.email);
    const results = await Promise.all([
      accept(invitee.token, body.token),
      accept(invitee.token, body.token),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 404]);
  });
});
