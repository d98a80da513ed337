import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  addMember,
  api,
  clientOf,
  type SignedUpUser,
  signUp,
  type Tenant,
  tenant,
  uniqueEmail,
  useTestServer,
} from '../harness/index.js';

const server = useTestServer();
const origin = () => server().url;
const NOT_A_MEMBER = 'You are not a member of this organization';
const ONLY_MANAGERS = 'Only owners and admins can manage members and invitations';
const NO_INVITATION = 'This invitation does not exist or has already been used';
/** Expects a tRPC call to fail with `code`, and `message` when given. */
const refusedWith = (call: Promise<unknown>, code: string, message?: string) =>
  expect(call).rejects.toMatchObject({ data: { code }, ...(message && { message }) });

let org: Tenant;
let [admin, member, outsider] = [] as SignedUpUser[];
let path: string;
beforeAll(async () => {
  org = await tenant(origin());
  [admin, member, outsider] = await Promise.all([1, 2, 3].map(() => signUp(origin())));
  await addMember(origin(), org.owner.token, org.organizationId, admin!, 'admin');
  await addMember(origin(), org.owner.token, org.organizationId, member!, 'member');
  path = `/organizations/${org.organizationId}`;
});

const invite = async (by: SignedUpUser, email = uniqueEmail(), role = 'member', id = '') => {
  const at = `/organizations/${id || org.organizationId}/members/invite`;
  const response = await api(origin(), 'POST', at, { token: by.token, body: { email, role } });
  expect(response.status).toBe(201);
  return response.body;
};
const list = (by?: SignedUpUser) =>
  api(origin(), 'GET', `${path}/invitations`, { token: by?.token });
const cancel = (by: SignedUpUser | undefined, id: string) =>
  api(origin(), 'DELETE', `${path}/invitations/${id}`, { token: by?.token });
const accept = (by: SignedUpUser, token: string) =>
  api(origin(), 'POST', '/invites/accept', { token: by.token, body: { token } });
const sql = (text: string, ...values: unknown[]): Promise<any[]> => server().sql(text, values);
const PENDING =
  'select id from invitations where organization_id = $1 and accepted_at is null and expires_at > now()';
/** The organization's invitations still waiting for an answer, as the database holds them. */
const pendingIds = async () => (await sql(PENDING, org.organizationId)).map((row) => row.id);
/** The memberships, in any organization, of these (new, invited) people. */
const membersNamed = (ids: string[]) =>
  sql('select 1 from memberships where user_id = any($1)', ids);

describe('GET /api/organizations/{organizationId}/invitations', () => {
  it('shows owners and admins the pending invitations, newest first, without tokens', async () => {
    const first = await invite(org.owner);
    const second = await invite(admin!, uniqueEmail(), 'admin');
    const expired = await invite(org.owner);
    await sql('update invitations set expires_at = now() where id = $1', expired.id);
    const view = ({ id, email, role, expiresAt }: typeof first, invitedBy: string) => ({
      ...{ id, email, role, expiresAt, invitedBy },
      createdAt: expect.toSatisfy((at: string) => Math.abs(Date.parse(at) - Date.now()) < 60_000),
    });
    const byOwner = await list(org.owner);
    expect(byOwner.status).toBe(200);
    // Accepted (the admin's and the member's) and expired invitations are not pending.
    expect(byOwner.body).toEqual([view(second, admin!.id), view(first, org.owner.id)]);
    expect(JSON.stringify(byOwner.body)).not.toMatch(new RegExp(`${first.token}|${second.token}`));
    expect((await list(admin)).body).toEqual(byOwner.body);
    const viaTrpc = clientOf(origin(), admin!.token).invitations.list;
    expect(await viaTrpc.query({ organizationId: org.organizationId })).toEqual(byOwner.body);
    for (const made of [first, second]) expect((await cancel(org.owner, made.id)).status).toBe(204);
  });

  it('refuses members, outsiders and the anonymous', async () => {
    expect(await list(member)).toMatchObject({ status: 403, body: { message: ONLY_MANAGERS } });
    expect(await list(outsider)).toMatchObject({ status: 403, body: { message: NOT_A_MEMBER } });
    expect((await list()).status).toBe(401);
    const viaTrpc = clientOf(origin(), member!.token).invitations.list;
    const input = { organizationId: org.organizationId };
    await refusedWith(viaTrpc.query(input), 'FORBIDDEN', ONLY_MANAGERS);
  });

  it('shows one invitation per address: inviting again replaces it', async () => {
    const email = uniqueEmail();
    const old = await invite(org.owner, email, 'member');
    const fresh = await invite(admin!, email, 'admin');
    expect((await list(org.owner)).body).toEqual([
      expect.objectContaining({ id: fresh.id, email, role: 'admin', invitedBy: admin!.id }),
    ]);
    expect(await pendingIds()).toEqual([fresh.id]);
    expect((await cancel(admin, old.id)).status).toBe(404);
    expect((await cancel(admin, fresh.id)).status).toBe(204);
  });
});

describe('DELETE /api/organizations/{organizationId}/invitations/{invitationId}', () => {
  it('cancels: the token stops working, and cancelling again is 404, on both transports', async () => {
    const invitee = await signUp(origin());
    const made = await invite(org.owner, invitee.email);
    expect(await cancel(admin, made.id)).toMatchObject({ status: 204, body: undefined });
    expect(await pendingIds()).toEqual([]);
    expect((await list(org.owner)).body).toEqual([]);
    const refused = await accept(invitee, made.token);
    expect([refused.status, refused.body.message]).toEqual([404, NO_INVITATION]);
    const again = await cancel(org.owner, made.id);
    expect(again).toMatchObject({ status: 404, body: { message: NO_INVITATION } });

    const viaTrpc = clientOf(origin(), org.owner.token).invitations.cancel;
    const next = await invite(admin!, invitee.email);
    const input = { organizationId: org.organizationId, invitationId: next.id };
    await viaTrpc.mutate(input);
    expect(await pendingIds()).toEqual([]);
    await refusedWith(viaTrpc.mutate(input), 'NOT_FOUND', NO_INVITATION);
    expect((await accept(invitee, next.token)).status).toBe(404);
    expect(await membersNamed([invitee.id])).toEqual([]);
  });

  it('refuses members and outsiders, and what is not a pending invitation here', async () => {
    const invitee = await signUp(origin());
    const made = await invite(admin!, invitee.email);
    const other = await tenant(origin());
    const foreign = await invite(other.owner, uniqueEmail(), 'member', other.organizationId);
    const used = await invite(org.owner);
    const user = await signUp(origin(), used.email);
    expect((await accept(user, used.token)).status).toBe(200);
    for (const [who, id, status, message] of [
      [member, made.id, 403, ONLY_MANAGERS],
      [member, 'not-a-uuid', 403, ONLY_MANAGERS],
      [outsider, made.id, 403, NOT_A_MEMBER],
      [other.owner, made.id, 403, NOT_A_MEMBER],
      [org.owner, foreign.id, 404, NO_INVITATION],
      [org.owner, used.id, 404, NO_INVITATION],
      [org.owner, crypto.randomUUID(), 404, NO_INVITATION],
      [org.owner, 'not-a-uuid', 400, 'Input validation failed'],
    ] as const) {
      const response = await cancel(who, id);
      expect(response.status, `${who!.email} ${id}`).toBe(status);
      expect(response.body.message).toBe(message);
    }
    expect((await cancel(undefined, made.id)).status).toBe(401);
    const viaTrpc = clientOf(origin(), member!.token).invitations.cancel;
    const input = { organizationId: org.organizationId, invitationId: made.id };
    await refusedWith(viaTrpc.mutate(input), 'FORBIDDEN', ONLY_MANAGERS);
    // Nothing was cancelled: the invitations still stand, and the one used kept its member.
    expect(await pendingIds()).toEqual([made.id]);
    expect(await sql('select 1 from invitations where id = $1', foreign.id)).toHaveLength(1);
    expect((await accept(invitee, made.token)).status).toBe(200);
    expect(await membersNamed([user.id, invitee.id])).toHaveLength(2);
  });

  it('racing a cancel and an accept: exactly one wins, never a 500', async () => {
    for (let round = 0; round < 6; round++) {
      const invitee = await signUp(origin());
      const made = await invite(org.owner, invitee.email);
      const [cancelled, accepted] = await Promise.all([
        cancel(admin, made.id),
        accept(invitee, made.token),
      ]);
      const joined = await membersNamed([invitee.id]);
      if (accepted.status === 200) expect([cancelled.status, joined.length]).toEqual([404, 1]);
      else expect([cancelled.status, accepted.status, joined.length]).toEqual([204, 404, 0]);
      expect(await pendingIds()).toEqual([]);
    }
  });
});

describe('what an admin has under way when removed (never a 500)', () => {
  /**
   * A new admin; `held(write, request)` sends `request`, holds its `write` in the database (at
   * the foreign-key check of the admin's user row, which a transaction here locks), removes the
   * admin meanwhile, then lets the write go: whether the removal answered first, and the answer.
   */
  async function removable() {
    const person = await signUp(origin());
    await addMember(origin(), org.owner.token, org.organizationId, person, 'admin');
    const [{ id }] = await sql('select id from memberships where user_id = $1', person.id);
    const remove = () =>
      api(origin(), 'DELETE', `${path}/members/${id}`, { token: org.owner.token });
    const headers = { 'X-Organization-Id': org.organizationId };
    const body = { name: 'Under way', scopes: ['read:user'] };
    const createApp = () =>
      api(origin(), 'POST', '/oauth/apps', { token: person.token, body, headers });
    const apps = async () =>
      (await sql('select client_id from oauth_apps where created_by_id = $1', person.id))
        .map((app) => app.client_id)
        .sort();
    async function held(write: string, request: () => Promise<ApiResponse>) {
      const lock = new pg.Client({ connectionString: server().database.url });
      await lock.connect();
      try {
        await lock.query('begin');
        await lock.query('select 1 from users where id = $1 for update', [person.id]);
        const answer = request();
        const waits = `select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like $1`;
        await expect.poll(async () => (await sql(waits, `%${write}%`)).length).toBe(1);
        const removal = remove();
        const first = await Promise.race([removal, sleep(1000).then(() => undefined)]);
        await lock.query('commit');
        expect((await removal).status).toBe(204);
        return { removedFirst: first !== undefined, answer: await answer };
      } finally {
        await lock.end();
      }
    }
    return { person, remove, createApp, apps, held };
  }

  it('creating apps while being removed: 201 or 403, and exactly the 201s exist', async () => {
    for (let round = 0; round < 6; round++) {
      const { remove, createApp, apps } = await removable();
      // The removal lands at different points of the creations: before, during, after.
      const creating = Promise.all([createApp(), createApp()]);
      await sleep(round * 5);
      expect((await remove()).status).toBe(204);
      const answers = await creating;
      for (const answer of answers.filter((r) => r.status !== 201)) {
        expect(answer).toMatchObject({ status: 403, body: { message: NOT_A_MEMBER } });
      }
      const created = answers.filter((r) => r.status === 201).map((r) => r.body.clientId);
      expect(await apps()).toEqual(created.sort());
    }
  });

  it('writes no app once the removal has answered 204', async () => {
    const admin = await removable();
    const held = await admin.held('insert into oauth_apps', admin.createApp);
    const apps = (await admin.apps()).length;
    expect([held.answer.status, apps]).toEqual(held.removedFirst ? [403, 0] : [201, 1]);
  });

  it('writes no invitation once the removal has answered 204', async () => {
    const admin = await removable();
    const body = { email: uniqueEmail(), role: 'member' };
    const inviting = () =>
      api(origin(), 'POST', `${path}/members/invite`, { token: admin.person.token, body });
    const held = await admin.held('insert into "invitations"', inviting);
    const written = await sql('select 1 from invitations where email = $1', body.email);
    // Written after the removal, it would let a removed admin still bring people in; written
    // before it, the removal takes it along.
    expect(held.answer.status).toBe(held.removedFirst ? 403 : 201);
    expect(written).toEqual([]);
  });
});

describe('an inviter who can no longer invite', () => {
  it('takes their pending invitations along, when removed or made a member', async () => {
    const [removed, demoted] = await Promise.all([signUp(origin()), signUp(origin())]);
    for (const person of [removed, demoted]) {
      await addMember(origin(), org.owner.token, org.organizationId, person, 'admin');
    }
    const fromRemoved = await invite(removed, uniqueEmail(), 'admin');
    const fromDemoted = await invite(demoted, uniqueEmail(), 'admin');
    const fromOwner = await invite(org.owner);
    const membershipOf = async (person: SignedUpUser) =>
      (await sql('select id from memberships where user_id = $1', person.id))[0].id as string;

    const removal = await api(
      origin(),
      'DELETE',
      `${path}/members/${await membershipOf(removed)}`,
      {
        token: org.owner.token,
      },
    );
    expect(removal.status).toBe(204);
    const demotion = await api(
      origin(),
      'PUT',
      `${path}/members/${await membershipOf(demoted)}/role`,
      { token: org.owner.token, body: { role: 'member' } },
    );
    expect(demotion.status).toBe(200);

    const pending = await pendingIds();
    expect(pending).toContain(fromOwner.id);
    expect(pending).not.toContain(fromRemoved.id);
    expect(pending).not.toContain(fromDemoted.id);
    // The link an inviter sent before losing the power to invite leads nowhere now.
    const invitee = await signUp(origin(), fromRemoved.email);
    expect((await accept(invitee, fromRemoved.token)).status).toBe(404);
    expect(await membersNamed([invitee.id])).toEqual([]);
    expect((await cancel(org.owner, fromOwner.id)).status).toBe(204);
  });
});
