import { formatSecret, SECRET_BODY_LENGTH } from '@timbrix/shared/secrets';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  addMember,
  api,
  clientOf,
  type SignedUpUser,
  signUp,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';

/** Using a key on the management API: who it acts as, and everything that ends it. */
const server = useTestServer();
const origin = () => server().url;
const sql = (text: string, ...values: unknown[]): Promise<any[]> => server().sql(text, values);

let org: Tenant;
let admin: SignedUpUser;
beforeAll(async () => {
  org = await tenant(origin());
  admin = await signUp(origin());
  await addMember(origin(), org.owner.token, org.organizationId, admin, 'admin');
});

/** Every key this file made: none may show in the log or the database beyond its prefix. */
const made: string[] = [];

/** A new key of `org`, made by `by` (the owner unless said), and its id. */
async function newKey(body: Record<string, unknown> = {}, by = org.owner.token, within = org) {
  const response = await api(origin(), 'POST', `/organizations/${within.organizationId}/api-keys`, {
    token: by,
    body: { name: 'Script', scopes: ['read:organization'], ...body },
  });
  if (response.status !== 201) throw new Error(JSON.stringify(response.body));
  made.push(response.body.key);
  return { key: response.body.key as string, id: response.body.id as string };
}

const withKey = (key: string, method: string, path: string, body?: unknown) =>
  api(origin(), method, path, { headers: { 'x-api-key': key }, body });
const readOrganization = (key: string, organizationId = org.organizationId) =>
  withKey(key, 'GET', `/organizations/${organizationId}`);

function expectRejected(response: { status: number; headers: Headers; body: any }) {
  expect(response.status).toBe(401);
  expect(response.body.code).toBe('UNAUTHORIZED');
  expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
}

describe('a key on the management API', () => {
  it('is taken as X-API-Key or as a bearer token, for its organization only', async () => {
    const { key } = await newKey();
    expect((await readOrganization(key)).body.id).toBe(org.organizationId);
    const bearer = await api(origin(), 'GET', `/organizations/${org.organizationId}`, {
      token: key,
    });
    expect(bearer.status).toBe(200);
    // And over tRPC, through the typed client.
    const viaClient = await clientOf(origin(), key).organizations.byId.query({
      organizationId: org.organizationId,
    });
    expect(viaClient.id).toBe(org.organizationId);
    const other = await tenant(origin());
    const elsewhere = await readOrganization(key, other.organizationId);
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.message).toBe('You are not a member of this organization');
  });

  it('acts as an admin would, narrowed by its scopes', async () => {
    const { key } = await newKey({ scopes: ['read:organization'] });
    const members = await withKey(key, 'GET', `/organizations/${org.organizationId}/members`);
    expect(members.status).toBe(403);
    expect(members.body.message).toBe(
      'This API key lacks the scope read:members (or admin:organization, admin:all) that this needs',
    );
    expect(members.headers.get('www-authenticate')).toContain('scope="read:members"');

    const { key: adminKey } = await newKey({ scopes: ['admin:organization'] });
    const listed = await withKey(adminKey, 'GET', `/organizations/${org.organizationId}/members`);
    expect(listed.status).toBe(200);
    // Never as the owner: renaming the organization is the owner's.
    const rename = await withKey(adminKey, 'PUT', `/organizations/${org.organizationId}`, {
      name: 'Renamed by a key',
    });
    expect(rename.status).toBe(403);
    // Never for a person: a person's own account is not the organization's.
    const me = await withKey(adminKey, 'GET', '/users/me');
    expect(me.status).toBe(403);
    expect(me.body.message).toContain("An API key can't do this");
  });

  it('mints no credentials: no app, no client secret, even with admin:organization', async () => {
    const { key } = await newKey({ scopes: ['admin:organization'] });
    const app = await org.createApp(['read:organization']);
    const before = await sql('select count(*)::int as n from oauth_apps');
    const register = await withKey(key, 'POST', '/oauth/apps', {
      name: 'Spawned',
      scopes: ['admin:organization'],
    });
    expect(register.status).toBe(403);
    expect(register.body.message).toContain("An API key can't do this");
    const rotate = await withKey(key, 'POST', `/oauth/apps/${app.clientId}/secret`, {});
    expect(rotate.status).toBe(403);
    expect(await sql('select count(*)::int as n from oauth_apps')).toEqual(before);
  });

  it('is the actor of what it does, in the audit log', async () => {
    const { key, id } = await newKey({ scopes: ['write:webhooks'] });
    const made = await withKey(key, 'POST', `/organizations/${org.organizationId}/webhooks`, {
      url: 'https://hooks.example.com/by-key',
      events: ['member.added'],
    });
    expect(made.status).toBe(201);
    const [event] = await sql(
      "select actor_type, actor_id from events where type = 'webhook.created' and target_id = $1",
      made.body.id,
    );
    expect(event).toEqual({ actor_type: 'api_key', actor_id: id });
    const log = await api(
      origin(),
      'GET',
      `/organizations/${org.organizationId}/audit-log?actorId=${id}`,
      {
        token: org.owner.token,
      },
    );
    expect(log.body.map((e: any) => [e.type, e.actor])).toEqual([
      ['webhook.created', { type: 'api_key', id }],
    ]);
  });

  it('refuses a key one character off, with or without a checksum that holds', async () => {
    const { key } = await newKey();
    const body = key.slice(3, 3 + SECRET_BODY_LENGTH);
    const flip = (c: string) => (c === 'a' ? 'b' : 'a');
    const typo = `${key.slice(0, 10)}${flip(key[10]!)}${key.slice(11)}`;
    const forged = formatSecret('apiKey', `${body.slice(0, -1)}${flip(body.at(-1)!)}`);
    const lastOff = `${key.slice(0, -1)}${flip(key.at(-1)!)}`;
    for (const wrong of [typo, forged, lastOff, key.toUpperCase(), `${key}x`, key.slice(0, -1)]) {
      expectRejected(await readOrganization(wrong));
    }
    expect((await readOrganization(key)).status).toBe(200);
  });

  it('refuses a request that sends two credentials', async () => {
    const { key } = await newKey();
    const both = await api(origin(), 'GET', `/organizations/${org.organizationId}`, {
      token: org.owner.token,
      headers: { 'x-api-key': key },
    });
    expectRejected(both);
  });

  it('keeps lastUsedAt to the minute, without a write on every request', async () => {
    const { key, id } = await newKey();
    const lastUsed = async () =>
      (await sql('select last_used_at from api_keys where id = $1', id))[0].last_used_at as Date;
    expect(await lastUsed()).toBeNull();
    await readOrganization(key);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    await sql("update api_keys set last_used_at = now() - interval '30 seconds' where id = $1", id);
    const recent = await lastUsed();
    await readOrganization(key);
    expect(await lastUsed()).toEqual(recent);
    await sql("update api_keys set last_used_at = now() - interval '61 seconds' where id = $1", id);
    const stale = await lastUsed();
    await readOrganization(key);
    expect((await lastUsed()).getTime()).toBeGreaterThanOrEqual(stale.getTime() + 61_000);
  });
});

describe('what ends a key', () => {
  const statusOf = async (id: string, within = org) =>
    (
      await api(origin(), 'GET', `/organizations/${within.organizationId}/api-keys/${id}`, {
        token: within.owner.token,
      })
    ).body;

  it('revocation, at once', async () => {
    const { key, id } = await newKey();
    expect((await readOrganization(key)).status).toBe(200);
    const revoked = await api(
      origin(),
      'DELETE',
      `/organizations/${org.organizationId}/api-keys/${id}`,
      {
        token: admin.token,
      },
    );
    expect(revoked.status).toBe(204);
    expectRejected(await readOrganization(key));
  });

  it('expiry', async () => {
    const { key, id } = await newKey({ expiresAt: new Date(Date.now() + 60_000).toISOString() });
    expect((await readOrganization(key)).status).toBe(200);
    await sql("update api_keys set expires_at = now() - interval '1 second' where id = $1", id);
    expectRejected(await readOrganization(key));
    expect((await statusOf(id)).status).toBe('expired');
  });

  it('its creator’s removal, for good: joining again brings nothing back', async () => {
    const leaver = await signUp(origin());
    await addMember(origin(), org.owner.token, org.organizationId, leaver, 'admin');
    const { key, id } = await newKey({}, leaver.token);
    const [membership] = await sql(
      'select id from memberships where user_id = $1 and organization_id = $2',
      leaver.id,
      org.organizationId,
    );
    const removed = await api(
      origin(),
      'DELETE',
      `/organizations/${org.organizationId}/members/${membership.id}`,
      {
        token: org.owner.token,
      },
    );
    expect(removed.status).toBe(204);
    expectRejected(await readOrganization(key));
    expect(await statusOf(id)).toMatchObject({ status: 'revoked' });
    const [event] = await sql(
      "select data from events where type = 'api_key.revoked' and target_id = $1",
      id,
    );
    expect(event.data.reason).toBe('creator_removed');

    await addMember(origin(), org.owner.token, org.organizationId, leaver, 'admin');
    expectRejected(await readOrganization(key));
  });

  it('a creator gone even without its revocation (the row check alone)', async () => {
    const leaver = await signUp(origin());
    await addMember(origin(), org.owner.token, org.organizationId, leaver, 'admin');
    const { key } = await newKey({}, leaver.token);
    // As if the removal had not revoked it: the liveness check still asks for the creator.
    await sql(
      'delete from memberships where user_id = $1 and organization_id = $2',
      leaver.id,
      org.organizationId,
    );
    expectRejected(await readOrganization(key));
  });

  it('the deletion of the app that created it', async () => {
    const app = await org.createApp(['admin:organization']);
    const token = await accessToken(origin(), app, 'admin:organization');
    const { key, id } = await newKey({ scopes: ['admin:organization'] }, token);
    expect((await readOrganization(key)).status).toBe(200);
    await clientOf(origin(), org.owner.token).oauthApps.delete.mutate({ clientId: app.clientId });
    expectRejected(await readOrganization(key));
    const [row] = await sql('select revoked_reason from api_keys where id = $1', id);
    expect(row.revoked_reason).toBe('creator_deleted');
  });

  it('the deletion of its organization', async () => {
    const doomed = await tenant(origin());
    const { key, id } = await newKey({}, doomed.owner.token, doomed);
    expect((await readOrganization(key, doomed.organizationId)).status).toBe(200);
    const deleted = await api(origin(), 'DELETE', `/organizations/${doomed.organizationId}`, {
      token: doomed.owner.token,
    });
    expect(deleted.status).toBe(204);
    expectRejected(await readOrganization(key, doomed.organizationId));
    expect(await sql('select id from api_keys where id = $1', id)).toEqual([]);
  });
});

describe('POST /api/api-keys/validate', () => {
  const validate = (headers: Record<string, string>) =>
    api(origin(), 'POST', '/api-keys/validate', { headers });

  it('says what a live key is', async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const { key, id } = await newKey({ name: 'Checked', scopes: ['read:members'], expiresAt });
    const ways: Record<string, string>[] = [
      { 'x-api-key': key },
      { authorization: `Bearer ${key}` },
    ];
    for (const headers of ways) {
      const response = await validate(headers);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        valid: true,
        keyId: id,
        name: 'Checked',
        organizationId: org.organizationId,
        scopes: ['read:members'],
        expiresAt,
        status: 'active',
      });
    }
  });

  it('answers 200 {"valid": false} for any other key, saying nothing more', async () => {
    const { key, id } = await newKey();
    await api(origin(), 'DELETE', `/organizations/${org.organizationId}/api-keys/${id}`, {
      token: org.owner.token,
    });
    const made = formatSecret('apiKey', 'x'.repeat(SECRET_BODY_LENGTH));
    for (const wrong of [key, made, 'sk_nothing', 'not a key']) {
      const response = await validate({ 'x-api-key': wrong });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ valid: false });
    }
  });

  it('asks for a key when none is sent, or a session token is', async () => {
    const ways: Record<string, string>[] = [{}, { authorization: `Bearer ${org.owner.token}` }];
    for (const headers of ways) {
      const response = await validate(headers);
      expect(response.status).toBe(400);
      expect(response.body.message).toContain('X-API-Key');
    }
  });
});

describe('the keys this file used', () => {
  it('are in no log line and no row, beyond their first 8 characters', async () => {
    expect(made.length).toBeGreaterThan(10);
    const logs = server().logs();
    const dump = await server().dump();
    for (const key of made) {
      // The prefix and one more character: more than the 8 that are kept.
      for (const text of [logs, dump]) {
        expect(text).not.toContain(key.slice(3, 12));
        expect(text).not.toContain(key.slice(12));
      }
    }
    const digests = (await sql('select digest from api_keys')).map((row) => row.digest);
    expect(logs).not.toMatch(
      new RegExp(digests.map((d: string) => d.replace(/[-_]/g, '.')).join('|')),
    );
  });
});
