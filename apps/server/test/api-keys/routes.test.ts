import { isTimbrixSecret } from '@timbrix/shared/secrets';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  addMember,
  api,
  platformAdminCommand,
  type SignedUpUser,
  signUp,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';

const server = useTestServer();
const origin = () => server().url;
const sql = (text: string, ...values: unknown[]): Promise<any[]> => server().sql(text, values);

let org: Tenant;
let [admin, member, outsider] = [] as SignedUpUser[];
let path: string;
beforeAll(async () => {
  org = await tenant(origin());
  [admin, member, outsider] = await Promise.all([1, 2, 3].map(() => signUp(origin())));
  await addMember(origin(), org.owner.token, org.organizationId, admin!, 'admin');
  await addMember(origin(), org.owner.token, org.organizationId, member!, 'member');
  path = `/organizations/${org.organizationId}/api-keys`;
});

const VALID = { name: 'Nightly sync', scopes: ['read:organization'] };
const create = (token: string, body: unknown = VALID) =>
  api(origin(), 'POST', path, { token, body });
const keyCount = async () =>
  Number(
    (await sql('select count(*) from api_keys where organization_id = $1', org.organizationId))[0]
      .count,
  );

describe('POST /api/organizations/{organizationId}/api-keys', () => {
  it('answers 201 with an sk_ key once, and keeps only its HMAC and first 8 characters', async () => {
    const body = {
      name: '  Deploy bot ',
      description: 'CI',
      scopes: ['read:organization', 'read:members'],
      rateLimitPerMinute: 60,
      rateLimitPerHour: 1000,
      allowedIps: ['203.0.113.7', '10.0.0.7/8', '::ffff:192.0.2.0/120', '2001:DB8::/32'],
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    };
    const response = await create(admin!.token, body);
    expect(response.status).toBe(201);
    const { key, ...shown } = response.body;
    expect(isTimbrixSecret(key, 'apiKey')).toBe(true);
    expect(key).toMatch(/^sk_[0-9A-Za-z]{49}$/);
    expect(shown).toMatchObject({
      name: 'Deploy bot',
      description: 'CI',
      prefix: key.slice(3, 11),
      scopes: body.scopes,
      rateLimitPerMinute: 60,
      rateLimitPerHour: 1000,
      // Canonical: a range by its network, IPv4-mapped as IPv4, IPv6 compressed.
      allowedIps: ['203.0.113.7', '10.0.0.0/8', '192.0.2.0/24', '2001:db8::/32'],
      createdBy: { type: 'user', id: admin!.id },
      lastUsedAt: null,
      expiresAt: body.expiresAt,
      revokedAt: null,
      status: 'active',
    });

    const [row] = await sql('select * from api_keys where id = $1', shown.id);
    expect(row.prefix).toBe(key.slice(3, 11));
    expect(row.digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Nothing beyond the 8 characters kept: in no row of any table, no log line, no list.
    const dump = await server().dump();
    const logs = server().logs();
    for (const text of [dump, logs]) {
      expect(text).not.toContain(key.slice(3, 12));
      expect(text).not.toContain(key.slice(-20));
    }
    const listed = await api(origin(), 'GET', path, { token: admin!.token });
    expect(listed.body.find((k: any) => k.id === shown.id)).toEqual(shown);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(JSON.stringify(listed.body)).not.toContain(row.digest);
  });

  it('gives read:user by default and no limits, addresses or expiry', async () => {
    const response = await create(admin!.token, { name: 'Defaults' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      scopes: ['read:user'],
      description: null,
      rateLimitPerMinute: null,
      rateLimitPerHour: null,
      allowedIps: [],
      expiresAt: null,
    });
  });

  const soon = new Date(Date.now() - 1000).toISOString();
  const BAD: [string, unknown, string][] = [
    ['no name', { scopes: ['read:user'] }, 'name'],
    ['a short name', { ...VALID, name: 'ab' }, 'at least 3'],
    ['a long name', { ...VALID, name: 'x'.repeat(51) }, 'at most 50'],
    ['a long description', { ...VALID, description: 'x'.repeat(201) }, 'at most 200'],
    ['no scopes', { ...VALID, scopes: [] }, 'at least one scope'],
    ['an unknown scope', { ...VALID, scopes: ['root'] }, 'unknown scope'],
    ['a repeated scope', { ...VALID, scopes: ['read:user', 'read:user'] }, 'duplicates'],
    ['a zero limit', { ...VALID, rateLimitPerMinute: 0 }, 'rateLimitPerMinute must be at least 1'],
    ['a fractional limit', { ...VALID, rateLimitPerHour: 1.5 }, 'whole number'],
    ['a limit as text', { ...VALID, rateLimitPerMinute: '60' }, 'must be a number'],
    ['a huge limit', { ...VALID, rateLimitPerHour: 6_000_001 }, 'at most 6000000'],
    ['a bad address', { ...VALID, allowedIps: ['300.1.1.1'] }, 'CIDR ranges'],
    ['a bad prefix', { ...VALID, allowedIps: ['10.0.0.0/33'] }, 'CIDR ranges'],
    ['an IPv6 zone', { ...VALID, allowedIps: ['fe80::1%eth0'] }, 'CIDR ranges'],
    ['a host name', { ...VALID, allowedIps: ['example.com'] }, 'CIDR ranges'],
    ['addresses not in a list', { ...VALID, allowedIps: '10.0.0.0/8' }, 'array'],
    ['too many addresses', { ...VALID, allowedIps: Array(101).fill('10.0.0.1') }, 'at most 100'],
    ['an expiry in the past', { ...VALID, expiresAt: soon }, 'in the future'],
    ['an expiry that is no time', { ...VALID, expiresAt: 'tomorrow' }, 'ISO 8601'],
  ];
  it.each(BAD)('refuses %s with a 400 that says why, storing nothing', async (_, body, words) => {
    const before = await keyCount();
    const response = await create(admin!.token, body);
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body).toLowerCase()).toContain(words.toLowerCase());
    expect(await keyCount()).toBe(before);
  });

  it('is for owners and admins: a member and an outsider are refused, storing nothing', async () => {
    const before = await keyCount();
    const asMember = await create(member!.token);
    expect(asMember.status).toBe(403);
    expect(asMember.body.message).toBe('Only owners and admins manage API keys');
    expect((await create(outsider!.token)).status).toBe(403);
    expect((await api(origin(), 'POST', path, { body: VALID })).status).toBe(401);
    expect(await keyCount()).toBe(before);
  });

  it('gives admin:all only from a platform administrator', async () => {
    const refused = await create(org.owner.token, { ...VALID, scopes: ['admin:all'] });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('Only platform administrators can grant admin:all');
    await platformAdminCommand(server(), org.owner.email);
    try {
      const granted = await create(org.owner.token, { ...VALID, scopes: ['admin:all'] });
      expect(granted.status).toBe(201);
    } finally {
      await platformAdminCommand(server(), org.owner.email, false);
    }
  });

  it('keeps a key holding admin:all for platform administrators to change; anyone may revoke it', async () => {
    await platformAdminCommand(server(), admin!.email);
    const made = await create(admin!.token, { name: 'Platform key', scopes: ['admin:all'] });
    await platformAdminCommand(server(), admin!.email, false);
    const one = `${path}/${made.body.id}`;
    const widened = await api(origin(), 'PATCH', one, {
      token: org.owner.token,
      body: { rateLimitPerMinute: null, allowedIps: [] },
    });
    expect(widened.status).toBe(403);
    expect(widened.body.message).toBe(
      'Only platform administrators can change a key that holds admin:all; owners and admins may revoke it',
    );
    expect((await api(origin(), 'DELETE', one, { token: org.owner.token })).status).toBe(204);
  });

  it('revokes the keys an organization’s app made elsewhere when the organization goes', async () => {
    const home = await tenant(origin());
    await platformAdminCommand(server(), home.owner.email);
    const app = await home.createApp(['admin:all']);
    await platformAdminCommand(server(), home.owner.email, false);
    const token = await accessToken(origin(), app, 'admin:all');
    const made = await create(token, { name: 'From afar', scopes: ['admin:all'] });
    expect(made.status).toBe(201);
    expect(made.body.createdBy).toEqual({ type: 'app', id: app.clientId });
    const gone = await api(origin(), 'DELETE', `/organizations/${home.organizationId}`, {
      token: home.owner.token,
    });
    expect(gone.status).toBe(204);
    const read = await api(origin(), 'GET', `${path}/${made.body.id}`, { token: admin!.token });
    expect(read.body.status).toBe('revoked');
    const [row] = await sql('select revoked_reason from api_keys where id = $1', made.body.id);
    expect(row.revoked_reason).toBe('creator_deleted');
  });

  it('takes tokens with admin:organization, which give no scope they lack; the app is the creator', async () => {
    const app = await org.createApp(['admin:organization']);
    const token = await accessToken(origin(), app, 'admin:organization');
    const made = await create(token, { name: 'By an app', scopes: ['admin:organization'] });
    expect(made.status).toBe(201);
    expect(made.body.createdBy).toEqual({ type: 'app', id: app.clientId });
    const lacking = await create(token, { name: 'Too much', scopes: ['read:members'] });
    expect(lacking.status).toBe(403);
    expect(lacking.body.message).toBe(
      'An access token can give only scopes it holds itself; it lacks read:members',
    );
    const reader = await org.createApp(['read:organization']);
    const readOnly = await create(await accessToken(origin(), reader), VALID);
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.message).toContain('lacks the scope admin:organization');
  });

  it('never lets a key make keys, even one holding admin:organization', async () => {
    const { key } = (
      await create(admin!.token, { name: 'Admin key', scopes: ['admin:organization'] })
    ).body;
    const before = await keyCount();
    const response = await api(origin(), 'POST', path, {
      headers: { 'x-api-key': key },
      body: VALID,
    });
    expect(response.status).toBe(403);
    expect(response.body.message).toContain("An API key can't do this");
    const listing = await api(origin(), 'GET', path, { headers: { 'x-api-key': key } });
    expect(listing.status).toBe(403);
    expect(await keyCount()).toBe(before);
  });
});

describe('the key routes', () => {
  let id: string;
  beforeAll(async () => {
    id = (await create(admin!.token, { ...VALID, name: 'Lifecycle', rateLimitPerMinute: 5 })).body
      .id;
  });
  const one = () => `${path}/${id}`;

  it('reads one key; another organization’s or a malformed id is not found', async () => {
    const read = await api(origin(), 'GET', one(), { token: admin!.token });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, name: 'Lifecycle', status: 'active' });
    const other = await tenant(origin());
    const elsewhere = await api(
      origin(),
      'GET',
      `/organizations/${other.organizationId}/api-keys/${id}`,
      {
        token: other.owner.token,
      },
    );
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.message).toBe('API key not found');
    // Malformed is unknown, as for apps and webhooks.
    expect((await api(origin(), 'GET', `${path}/nope`, { token: admin!.token })).status).toBe(404);
  });

  it('pages the list newest first with the Link header', async () => {
    const page = await api(origin(), 'GET', `${path}?limit=2`, { token: admin!.token });
    expect(page.status).toBe(200);
    expect(page.body).toHaveLength(2);
    const next = page.headers.get('link')!.match(/<([^>]+)>/)![1]!;
    const rest = await api(origin(), 'GET', next.slice(next.indexOf('/api') + 4), {
      token: admin!.token,
    });
    expect(rest.body[0].createdAt <= page.body[1].createdAt).toBe(true);
    expect(rest.body.map((k: any) => k.id)).not.toContain(page.body[0].id);
    const bad = await api(origin(), 'GET', `${path}?after=${crypto.randomUUID()}`, {
      token: admin!.token,
    });
    expect(bad.status).toBe(400);
  });

  it('updates what it is given, with an api_key.updated event naming the changes', async () => {
    const response = await api(origin(), 'PATCH', one(), {
      token: admin!.token,
      body: {
        name: 'Renamed',
        rateLimitPerMinute: null,
        allowedIps: ['192.0.2.1/24'],
        description: 'x',
      },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name: 'Renamed',
      rateLimitPerMinute: null,
      allowedIps: ['192.0.2.0/24'],
      description: 'x',
      scopes: ['read:organization'],
    });
    const [event] = await sql(
      "select * from events where type = 'api_key.updated' and target_id = $1",
      id,
    );
    expect(event.actor_type).toBe('user');
    expect(event.data.changes).toMatchObject({
      name: { from: 'Lifecycle', to: 'Renamed' },
      rateLimitPerMinute: { from: 5, to: null },
    });
    const cleared = await api(origin(), 'PATCH', one(), {
      token: admin!.token,
      body: { allowedIps: [], description: '' },
    });
    expect(cleared.body).toMatchObject({ allowedIps: [], description: null });
  });

  it('refuses a bad update with a 400, changing nothing', async () => {
    const before = (await sql('select * from api_keys where id = $1', id))[0];
    for (const body of [
      { name: 'x' },
      { scopes: [] },
      { rateLimitPerHour: -1 },
      { allowedIps: ['10.0.0.0/99'] },
    ]) {
      const response = await api(origin(), 'PATCH', one(), { token: admin!.token, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect((await sql('select * from api_keys where id = $1', id))[0]).toEqual(before);
  });

  it('revokes with 204, keeps the key listed as revoked, and no longer changes it', async () => {
    const revoked = await api(origin(), 'DELETE', one(), { token: admin!.token });
    expect(revoked.status).toBe(204);
    const again = await api(origin(), 'DELETE', one(), { token: admin!.token });
    expect(again.status).toBe(204);
    const read = await api(origin(), 'GET', one(), { token: admin!.token });
    expect(read.body).toMatchObject({ status: 'revoked' });
    expect(read.body.revokedAt).not.toBeNull();
    const changed = await api(origin(), 'PATCH', one(), {
      token: admin!.token,
      body: { name: 'Back' },
    });
    expect(changed.status).toBe(409);
    const events = await sql(
      "select data from events where type = 'api_key.revoked' and target_id = $1",
      id,
    );
    expect(events).toEqual([
      { data: { name: 'Renamed', prefix: expect.any(String), reason: 'revoked' } },
    ]);
  });

  it('sends api_key.created, updated and revoked to the webhooks that subscribe, never the key', async () => {
    const hook = await api(origin(), 'POST', `/organizations/${org.organizationId}/webhooks`, {
      token: admin!.token,
      body: {
        url: 'https://hooks.example.com/keys',
        events: ['api_key.created', 'api_key.updated', 'api_key.revoked'],
      },
    });
    expect(hook.status).toBe(201);
    const made = await create(admin!.token, { name: 'Watched' });
    const one = `${path}/${made.body.id}`;
    await api(origin(), 'PATCH', one, { token: admin!.token, body: { name: 'Watched too' } });
    await api(origin(), 'DELETE', one, { token: admin!.token });
    const deliveries = await sql(
      'select event_type, body from webhook_deliveries where webhook_id = $1 order by created_at',
      hook.body.id,
    );
    expect(deliveries.map((d) => d.event_type).sort()).toEqual([
      'api_key.created',
      'api_key.revoked',
      'api_key.updated',
    ]);
    const created = JSON.parse(deliveries.find((d) => d.event_type === 'api_key.created').body);
    expect(created.data).toMatchObject({ name: 'Watched', prefix: made.body.prefix });
    expect(JSON.stringify(deliveries)).not.toContain(made.body.key.slice(3, 12));
  });

  it('records api_key.created with the creator as actor, and never a key or digest in events', async () => {
    const [created] = await sql(
      "select * from events where type = 'api_key.created' and target_id = $1",
      id,
    );
    expect(created).toMatchObject({
      actor_type: 'user',
      actor_id: admin!.id,
      target_type: 'api_key',
    });
    const digests = await sql('select digest from api_keys');
    const events = JSON.stringify(await sql('select data from events'));
    for (const { digest } of digests) expect(events).not.toContain(digest);
    expect(events).not.toMatch(/sk_[0-9A-Za-z]{20}/);
  });
});
