import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  addMember,
  api,
  createOrganization,
  type SignedUpUser,
  signUp,
  uniqueEmail,
  uniqueSlug,
  useTestServer,
} from '../harness/index.js';

const server = useTestServer();
const origin = () => server().url;
const sql = (text: string, ...values: unknown[]): Promise<any[]> => server().sql(text, values);
const AGENT = 'audit-test/1.0';
const as = (user: SignedUpUser) => ({ token: user.token, headers: { 'user-agent': AGENT } });

let owner: SignedUpUser;
let admin: SignedUpUser;
let organizationId: string;
let log: string;
/** Every event of the organization, oldest first, as the audit log shows them. */
const everything = async () => {
  const page = await api(origin(), 'GET', `${log}?limit=100`, { token: owner.token });
  expect(page.status).toBe(200);
  return [...page.body].reverse();
};
const ofType = async (type: string) => (await everything()).filter((e) => e.type === type);

beforeAll(async () => {
  [owner, admin] = await Promise.all([signUp(origin()), signUp(origin())]);
  const created = await api(origin(), 'POST', '/organizations', {
    ...as(owner),
    body: { name: 'Audited', slug: uniqueSlug() },
  });
  organizationId = created.body.id;
  log = `/organizations/${organizationId}/audit-log`;
  await addMember(origin(), owner.token, organizationId, admin, 'admin');
});

describe('every change is an event, with who, from where, and what', () => {
  it('organization.created and organization.updated (what changed)', async () => {
    await api(origin(), 'PUT', `/organizations/${organizationId}`, {
      ...as(owner),
      body: { name: 'Audited Inc' },
    });
    const [created] = await ofType('organization.created');
    expect(created).toMatchObject({
      organizationId,
      actor: { type: 'user', id: owner.id },
      userAgent: AGENT,
      target: { type: 'organization', id: organizationId },
      data: { name: 'Audited' },
    });
    expect(created.requestId).toEqual(expect.any(String));
    expect(created.ip).toMatch(/127\.0\.0\.1/);
    const [updated] = await ofType('organization.updated');
    expect(updated.data.changes).toEqual({ name: { from: 'Audited', to: 'Audited Inc' } });
  });

  it('invite.created, invite.accepted and member.added; member.role_updated; member.removed; invite.cancelled', async () => {
    expect(await ofType('invite.created')).toHaveLength(1);
    const [accepted] = await ofType('invite.accepted');
    expect(accepted).toMatchObject({
      actor: { type: 'user', id: admin.id },
      data: { userId: admin.id, role: 'admin' },
    });
    const [added] = await ofType('member.added');
    expect(added.data).toMatchObject({ userId: admin.id, role: 'admin' });

    await api(origin(), 'PUT', `/organizations/${organizationId}/members/${added.target.id}/role`, {
      ...as(owner),
      body: { role: 'member' },
    });
    const [changed] = await ofType('member.role_updated');
    expect(changed.data).toEqual({
      userId: admin.id,
      changes: { role: { from: 'admin', to: 'member' } },
    });

    const invited = await api(origin(), 'POST', `/organizations/${organizationId}/members/invite`, {
      ...as(owner),
      body: { email: uniqueEmail(), role: 'member' },
    });
    await api(
      origin(),
      'DELETE',
      `/organizations/${organizationId}/invitations/${invited.body.id}`,
      as(owner),
    );
    expect((await ofType('invite.cancelled'))[0].target).toEqual({
      type: 'invitation',
      id: invited.body.id,
    });

    await api(
      origin(),
      'DELETE',
      `/organizations/${organizationId}/members/${added.target.id}`,
      as(owner),
    );
    const [removed] = await ofType('member.removed');
    expect(removed.data).toMatchObject({ userId: admin.id, role: 'member', left: false });
  });

  it('an app’s whole life, never with its secret', async () => {
    const headers = { ...as(owner).headers, 'x-organization-id': organizationId };
    const app = await api(origin(), 'POST', '/oauth/apps', {
      token: owner.token,
      headers,
      body: { name: 'Audited app', scopes: ['read:organization'] },
    });
    const at = `/oauth/apps/${app.body.clientId}`;
    await api(origin(), 'PATCH', at, { ...as(owner), body: { isActive: false } });
    await api(origin(), 'PATCH', at, { ...as(owner), body: { isActive: true, name: 'Renamed' } });
    const rotated = await api(origin(), 'POST', `${at}/secret`, as(owner));
    await api(origin(), 'DELETE', at, as(owner));

    const ofApp = (await everything()).filter((e) => e.target.id === app.body.clientId);
    // Events of one transaction share its moment; their order among themselves is not kept.
    const types = ofApp.map((e) => e.type);
    expect(types[0]).toBe('oauth_app.created');
    expect(types.slice(1, 5).sort()).toEqual([
      'oauth_app.deactivated',
      'oauth_app.reactivated',
      'oauth_app.updated',
      'oauth_app.updated',
    ]);
    expect(types.slice(5)).toEqual(['oauth_app.secret_rotated', 'oauth_app.revoked']);
    expect(ofApp[0]).toMatchObject({ actor: { type: 'user', id: owner.id }, userAgent: AGENT });
    const updates = ofApp.filter((e) => e.type === 'oauth_app.updated').map((e) => e.data.changes);
    expect(updates).toContainEqual({ isActive: { from: true, to: false } });
    expect(updates).toContainEqual({
      name: { from: 'Audited app', to: 'Renamed' },
      isActive: { from: false, to: true },
    });
    const stored = JSON.stringify(await sql('select * from events'));
    for (const secret of [app.body.clientSecret, rotated.body.clientSecret]) {
      expect(stored).not.toContain(secret);
    }
    expect(stored).not.toMatch(/argon2id|cs_[0-9A-Za-z]{20}/);
  });

  it('names an app as the actor of what its token does', async () => {
    const headers = { 'x-organization-id': organizationId };
    const app = await api(origin(), 'POST', '/oauth/apps', {
      token: owner.token,
      headers,
      body: { name: 'Robot', scopes: ['write:webhooks'] },
    });
    const token = await accessToken(origin(), app.body, 'write:webhooks');
    await api(origin(), 'POST', `/organizations/${organizationId}/webhooks`, {
      token,
      body: { url: 'https://hooks.example.com/robot', events: ['member.added'] },
    });
    const [created] = await ofType('webhook.created');
    expect(created.actor).toEqual({ type: 'app', id: app.body.clientId });
    expect(JSON.stringify(created)).not.toContain('whsec_');
  });

  it('a change that fails records nothing', async () => {
    const before = (await everything()).length;
    const taken = await api(origin(), 'PUT', `/organizations/${organizationId}`, {
      ...as(owner),
      body: { name: 'x' },
    });
    expect(taken.status).toBe(400);
    const [slug] = await sql('select slug from organizations where id = $1', organizationId);
    const duplicate = await api(origin(), 'POST', '/organizations', {
      ...as(owner),
      body: { name: 'Copy', slug: slug.slug },
    });
    expect(duplicate.status).toBe(409);
    expect(await everything()).toHaveLength(before);
    expect(
      await sql(
        "select 1 from events where type = 'organization.created' and data->>'name' = 'Copy'",
      ),
    ).toHaveLength(0);
  });
});

describe('GET /api/organizations/{organizationId}/audit-log', () => {
  it('pages newest first, the Link header keeping the filters', async () => {
    const all = await everything();
    const first = await api(origin(), 'GET', `${log}?limit=2&type=oauth_app.updated`, {
      token: owner.token,
    });
    expect(first.body.map((e: any) => e.type)).toEqual(['oauth_app.updated', 'oauth_app.updated']);
    const [newest, older] = first.body;
    expect(Date.parse(newest.createdAt)).toBeGreaterThanOrEqual(Date.parse(older.createdAt));
    const page = await api(origin(), 'GET', `${log}?limit=3`, { token: owner.token });
    const next = /<([^>]+)>; rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
    expect(next).toBeDefined();
    const second = await fetch(next!, { headers: { authorization: `Bearer ${owner.token}` } });
    const ids = [...page.body, ...((await second.json()) as any[])].map((e: any) => e.id);
    expect(ids).toEqual(
      [...all]
        .reverse()
        .slice(0, 6)
        .map((e) => e.id),
    );

    const filtered = await api(origin(), 'GET', `${log}?limit=1&type=oauth_app.updated`, {
      token: owner.token,
    });
    const link = filtered.headers.get('link') ?? '';
    expect(link).toContain('type=oauth_app.updated');
  });

  it('filters by actor and by time range', async () => {
    const byAdmin = await api(origin(), 'GET', `${log}?actorId=${admin.id}`, {
      token: owner.token,
    });
    expect(byAdmin.body.map((e: any) => e.type).sort()).toEqual([
      'invite.accepted',
      'member.added',
    ]);
    const all = await everything();
    const middle = all[Math.floor(all.length / 2)];
    const since = await api(
      origin(),
      'GET',
      `${log}?since=${encodeURIComponent(middle.createdAt)}`,
      { token: owner.token },
    );
    expect(since.body.every((e: any) => e.createdAt >= middle.createdAt)).toBe(true);
    const until = await api(
      origin(),
      'GET',
      `${log}?until=${encodeURIComponent(middle.createdAt)}`,
      { token: owner.token },
    );
    expect(until.body.every((e: any) => e.createdAt < middle.createdAt)).toBe(true);
    expect(since.body.length + until.body.length).toBe(all.length);
  });

  it('refuses bad filters with a 400 that says what to fix', async () => {
    for (const [query, words] of [
      ['type=nope', 'event must be one of'],
      ['since=yesterday', 'since must be an ISO 8601 time'],
      ['limit=0', 'limit must be at least 1'],
      [`after=${organizationId}`, 'after must be an id from the previous page'],
    ]) {
      const response = await api(origin(), 'GET', `${log}?${query}`, { token: owner.token });
      expect(response.status, query).toBe(400);
      expect(JSON.stringify(response.body)).toContain(words);
    }
  });

  it('is for owners and admins: a member gets 403, an outsider 403 as no member', async () => {
    const member = await signUp(origin());
    await addMember(origin(), owner.token, organizationId, member, 'member');
    expect((await api(origin(), 'GET', log, { token: member.token })).status).toBe(403);
    const outsider = await signUp(origin());
    const refused = await api(origin(), 'GET', log, { token: outsider.token });
    expect(refused.body.message).toBe('You are not a member of this organization');
  });
});

describe('retention', () => {
  it('forgets events older than AUDIT_RETENTION_DAYS, and only those', async () => {
    const [oldest] = await sql(
      'select id from events where organization_id = $1 order by created_at limit 1',
      organizationId,
    );
    await sql(
      "update events set created_at = now() - interval '366 days' where id = $1",
      oldest.id,
    );
    const before = (await everything()).length;
    const { events } = server().server.services.db;
    await events.pruneOlderThan(server().server.services.config.auditRetentionDays);
    const after = await everything();
    expect(after).toHaveLength(before - 1);
    expect(after.map((e) => e.id)).not.toContain(oldest.id);
  });
});

describe('deleting an organization', () => {
  it('keeps its audit rows (with organization.deleted) and takes webhooks, deliveries and queued jobs', async () => {
    const doomedOwner = await signUp(origin());
    const { id } = await createOrganization(origin(), doomedOwner.token);
    const hooks = `/organizations/${id}/webhooks`;
    const hook = await api(origin(), 'POST', hooks, {
      token: doomedOwner.token,
      body: {
        url: 'https://hooks.example.com/doomed',
        events: ['organization.deleted', 'member.added'],
      },
    });
    const test = await api(origin(), 'POST', `${hooks}/${hook.body.id}/test`, {
      token: doomedOwner.token,
    });
    const queued = () =>
      sql('select 1 from graphile_worker.jobs where key = $1', `delivery:${test.body.deliveryId}`);
    expect(await queued()).toHaveLength(1);

    expect(
      (await api(origin(), 'DELETE', `/organizations/${id}`, { token: doomedOwner.token })).status,
    ).toBe(204);
    expect(await queued()).toHaveLength(0);
    expect(await sql('select 1 from webhooks where organization_id = $1', id)).toHaveLength(0);
    expect(
      await sql('select 1 from webhook_deliveries where webhook_id = $1', hook.body.id),
    ).toHaveLength(0);
    const kept = await sql(
      'select type from events where organization_id = $1 order by created_at',
      id,
    );
    expect(kept.map((e) => e.type)).toEqual([
      'organization.created',
      'webhook.created',
      'webhook.test',
      'organization.deleted',
    ]);
    // Its farewell is queued from the snapshot taken before the cascade.
    const farewells = await sql(
      "select 1 from graphile_worker.jobs where task_identifier = 'deliver_webhook' and key is null",
    );
    expect(farewells.length).toBeGreaterThanOrEqual(1);
  });
});
