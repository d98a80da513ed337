import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  addMember,
  api,
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
  path = `/organizations/${org.organizationId}/webhooks`;
});

const VALID = { url: 'https://hooks.example.com/timbrix', events: ['oauth_app.created'] };
const create = (token: string, body: unknown = VALID) =>
  api(origin(), 'POST', path, { token, body });
const webhookCount = async () =>
  Number(
    (await sql('select count(*) from webhooks where organization_id = $1', org.organizationId))[0]
      .count,
  );

describe('POST /api/organizations/{organizationId}/webhooks', () => {
  it('answers 201 with a whsec_ secret once, and keeps it only sealed', async () => {
    const response = await create(admin!.token, { ...VALID, description: 'CI' });
    expect(response.status).toBe(201);
    const { secret, ...shown } = response.body;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(shown).toMatchObject({ ...VALID, description: 'CI', isActive: true, disabledAt: null });

    const listed = await api(origin(), 'GET', path, { token: admin!.token });
    expect(listed.body.find((w: any) => w.id === shown.id)).toEqual(shown);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    const dump = await server().dump();
    expect(dump).not.toContain(secret.slice(6));
    expect(server().logs()).not.toContain(secret.slice(6));
    const [row] = await sql('select secret from webhooks where id = $1', shown.id);
    expect(row.secret).toMatch(/^v1\./);
  });

  const BAD: [string, unknown, string][] = [
    ['plain http', { ...VALID, url: 'http://hooks.example.com/x' }, 'url must be https'],
    ['a loopback address', { ...VALID, url: 'https://127.0.0.1/x' }, 'loopback'],
    ['a decimal loopback', { ...VALID, url: 'https://2130706433/x' }, 'loopback'],
    ['a private address', { ...VALID, url: 'https://10.1.2.3/x' }, 'private'],
    ['an IPv6 loopback', { ...VALID, url: 'https://[::1]/x' }, 'loopback'],
    ['the metadata address', { ...VALID, url: 'https://169.254.169.254/latest' }, 'metadata'],
    ['localhost', { ...VALID, url: 'https://localhost/x' }, 'loopback'],
    ['credentials', { ...VALID, url: 'https://a:b@hooks.example.com/x' }, 'user name or password'],
    ['a fragment', { ...VALID, url: 'https://hooks.example.com/x#y' }, 'fragment'],
    ['not a URL', { ...VALID, url: 'hooks' }, 'absolute https URL'],
    ['no events', { ...VALID, events: [] }, 'at least one event type'],
    ['an unknown event', { ...VALID, events: ['app.exploded'] }, 'events must each be one of'],
    ['webhook.test', { ...VALID, events: ['webhook.test'] }, 'events must each be one of'],
    ['a repeated event', { ...VALID, events: ['member.added', 'member.added'] }, 'must not repeat'],
    ['a long description', { ...VALID, description: 'x'.repeat(201) }, 'at most 200'],
  ];
  it.each(BAD)('refuses %s with a 400 that says why, storing nothing', async (_, body, words) => {
    const before = await webhookCount();
    const response = await create(admin!.token, body);
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body).toLowerCase()).toContain(words.toLowerCase());
    expect(await webhookCount()).toBe(before);
  });

  it('is for owners and admins: a member is refused, an outsider told it is no member', async () => {
    expect((await create(member!.token)).status).toBe(403);
    expect((await create(outsider!.token)).status).toBe(403);
    expect((await create(outsider!.token)).body.message).toBe(
      'You are not a member of this organization',
    );
  });

  it('lets an app token with write:webhooks manage, and one with read:webhooks only read', async () => {
    const writer = await org.createApp(['write:webhooks']);
    const reader = await org.createApp(['read:webhooks']);
    const [writing, reading] = await Promise.all([
      accessToken(origin(), writer, 'write:webhooks'),
      accessToken(origin(), reader, 'read:webhooks'),
    ]);
    expect((await create(writing)).status).toBe(201);
    expect((await create(reading)).status).toBe(403);
    expect((await api(origin(), 'GET', path, { token: reading })).status).toBe(200);
  });
});

describe('one webhook', () => {
  let id: string;
  let at: string;
  beforeAll(async () => {
    id = (await create(org.owner.token)).body.id;
    at = `${path}/${id}`;
  });

  it('reads, updates what is given, and records the change', async () => {
    expect((await api(origin(), 'GET', at, { token: admin!.token })).body.id).toBe(id);
    const events = ['member.added', 'member.removed'];
    const updated = await api(origin(), 'PUT', at, {
      token: admin!.token,
      body: { events, isActive: false },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ ...VALID, events, isActive: false });
    const [event] = await sql(
      "select data from events where type = 'webhook.updated' and target_id = $1",
      id,
    );
    expect(event.data.changes).toEqual({
      events: { from: VALID.events, to: events },
      isActive: { from: true, to: false },
    });
  });

  it('refuses a bad update with 400 and changes nothing', async () => {
    const before = await api(origin(), 'GET', at, { token: admin!.token });
    for (const body of [{ url: 'http://x.example.com' }, { events: [] }, { isActive: 'no' }]) {
      expect((await api(origin(), 'PUT', at, { token: admin!.token, body })).status).toBe(400);
    }
    expect((await api(origin(), 'GET', at, { token: admin!.token })).body).toEqual(before.body);
  });

  it('rotates the secret: a new one once, the previous one kept sealed for its grace period', async () => {
    const response = await api(origin(), 'POST', `${at}/secret`, { token: admin!.token });
    expect(response.status).toBe(201);
    expect(response.body.secret).toMatch(/^whsec_/);
    const grace = Date.parse(response.body.previousSecretExpiresAt) - Date.now();
    expect(grace).toBeGreaterThan(23.9 * 3600_000);
    const [row] = await sql('select secret, previous_secret from webhooks where id = $1', id);
    expect(row.previous_secret).toMatch(/^v1\./);
    expect(row.previous_secret).not.toBe(row.secret);
  });

  it('queues a webhook.test delivery with 202, even while turned off, and lists it', async () => {
    const response = await api(origin(), 'POST', `${at}/test`, { token: admin!.token });
    expect(response.status).toBe(202);
    const deliveries = await api(origin(), 'GET', `${at}/deliveries`, { token: admin!.token });
    expect(deliveries.status).toBe(200);
    expect(deliveries.body[0]).toMatchObject({
      id: response.body.deliveryId,
      eventId: response.body.eventId,
      webhookId: id,
      event: 'webhook.test',
      status: 'pending',
      success: false,
      attempts: 0,
    });
    const jobs = await sql(
      'select 1 from graphile_worker.jobs where key = $1',
      `delivery:${response.body.deliveryId}`,
    );
    expect(jobs).toHaveLength(1);
  });

  it('is not found from another organization, nor under an unknown or malformed id', async () => {
    const other = await tenant(origin());
    const foreign = `/organizations/${other.organizationId}/webhooks/${id}`;
    expect((await api(origin(), 'GET', foreign, { token: other.owner.token })).status).toBe(404);
    const unknown = `${path}/00000000-0000-4000-8000-000000000000`;
    expect((await api(origin(), 'DELETE', unknown, { token: admin!.token })).status).toBe(404);
    expect((await api(origin(), 'GET', `${path}/nope`, { token: admin!.token })).status).toBe(404);
  });

  it('deletes with 204: its deliveries and their queued jobs go too', async () => {
    await api(origin(), 'POST', `${at}/test`, { token: admin!.token });
    const response = await api(origin(), 'DELETE', at, { token: admin!.token });
    expect(response.status).toBe(204);
    expect(await sql('select 1 from webhook_deliveries where webhook_id = $1', id)).toHaveLength(0);
    const jobs = await sql(
      "select 1 from graphile_worker.jobs where key like 'delivery:%' and key in (select 'delivery:' || d.id from webhook_deliveries d where d.webhook_id = $1)",
      id,
    );
    expect(jobs).toHaveLength(0);
    expect((await api(origin(), 'GET', at, { token: admin!.token })).status).toBe(404);
  });
});
