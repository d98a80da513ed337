import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { type ServerProcess, startServerProcess } from '@timbrix/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTimbrixClient, isTimbrixError } from '../src/index.js';

/** The server this client is for, built and started as `pnpm start` runs it. */
const serverRoot = dirname(createRequire(import.meta.url).resolve('@timbrix/server/package.json'));
let server: ServerProcess;
beforeAll(async () => {
  server = await startServerProcess(serverRoot, { env: { RATE_LIMITS: 'off' } });
});
afterAll(() => server?.stop());

const uniqueEmail = () => `client-${randomBytes(5).toString('hex')}@example.com`;
const uniqueSlug = () => `client-${randomBytes(5).toString('hex')}`;

async function signedIn() {
  const anonymous = createTimbrixClient({ url: server.url });
  const email = uniqueEmail();
  const user = await anonymous.auth.register.mutate({ email, password: 'password-123' });
  const session = await anonymous.auth.login.mutate({ email, password: 'password-123' });
  const token = session.accessToken;
  return { user, token, client: createTimbrixClient({ url: server.url, token }) };
}

async function failure(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (isTimbrixError(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('@timbrix/client', () => {
  it('registers, signs in, creates an organization and an OAuth app', async () => {
    const { user, client } = await signedIn();
    expect(user.email).toMatch(/@example\.com$/);

    const organization = await client.organizations.create.mutate({
      name: 'Typed Org',
      slug: uniqueSlug(),
    });
    expect(organization.ownerId).toBe(user.id);

    const me = await client.users.me.query();
    expect(me.organizations).toEqual([
      { id: organization.id, name: 'Typed Org', slug: organization.slug, role: 'owner' },
    ]);

    const app = await client.oauthApps.create.mutate({
      name: 'Typed app',
      scopes: ['read:organization', 'read:members'],
      redirectUri: 'https://example.com/callback',
    });
    expect(app).toMatchObject({
      clientId: expect.stringMatching(/^app_[0-9a-f]{16}$/),
      clientSecret: expect.stringMatching(/^cs_/),
      organizationId: organization.id,
      scopes: ['read:organization', 'read:members'],
      isActive: true,
      description: null,
    });
    expect(typeof app.createdAt).toBe('string');
    // Stored: a new call, on a new connection, reads it back.
    const stored = await client.oauthApps.byId.query({ clientId: app.clientId });
    expect(stored).toMatchObject({ clientId: app.clientId, name: 'Typed app' });
  });

  it('sends the organization from the client options', async () => {
    const { client, token } = await signedIn();
    await client.organizations.create.mutate({ name: 'First', slug: uniqueSlug() });
    const second = await client.organizations.create.mutate({ name: 'Second', slug: uniqueSlug() });

    const ambiguous = await failure(
      client.oauthApps.create.mutate({ name: 'x', scopes: ['read:user'] }),
    );
    expect(ambiguous.data?.code).toBe('BAD_REQUEST');
    expect(ambiguous.message).toContain('X-Organization-Id');

    const inSecond = createTimbrixClient({ url: server.url, token, organizationId: second.id });
    const app = await inSecond.oauthApps.create.mutate({ name: 'x', scopes: ['read:user'] });
    expect(app.organizationId).toBe(second.id);
  });

  it('carries validation issues under data, without a stack', async () => {
    const { client } = await signedIn();
    await client.organizations.create.mutate({ name: 'Validation', slug: uniqueSlug() });
    const error = await failure(
      client.oauthApps.create.mutate({ name: '', scopes: ['read:user', 'read:user'] }),
    );
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.httpStatus).toBe(400);
    expect(error.data?.issues?.map((issue) => issue.path[0])).toEqual(['name', 'scopes']);
    expect(JSON.stringify(error.shape)).not.toMatch(/stack|\.ts:/);
  });

  it('answers UNAUTHORIZED without a token and FORBIDDEN for a member', async () => {
    const anonymous = createTimbrixClient({ url: server.url });
    expect((await failure(anonymous.users.me.query())).data?.code).toBe('UNAUTHORIZED');

    const owner = await signedIn();
    const org = await owner.client.organizations.create.mutate({
      name: 'Roles',
      slug: uniqueSlug(),
    });
    const member = await signedIn();
    const invite = await owner.client.invitations.create.mutate({
      organizationId: org.id,
      email: (await member.client.users.me.query()).email,
      role: 'member',
    });
    await member.client.invitations.accept.mutate({ token: invite.token });

    const forbidden = await failure(
      member.client.oauthApps.create.mutate({ name: 'Nope', scopes: ['read:user'] }),
    );
    expect(forbidden.data?.code).toBe('FORBIDDEN');
    expect(forbidden.message).toBe('Only owners and admins can create OAuth applications.');
  });
});

describe('batching', () => {
  it('splits many calls made at once into batches the server accepts', async () => {
    const { client } = await signedIn();
    // Issued in one tick, they would go as one batch of 25: over the server's cap of 10.
    const answers = await Promise.all(Array.from({ length: 25 }, () => client.users.me.query()));
    expect(answers).toHaveLength(25);
    expect(new Set(answers.map((me) => me.id)).size).toBe(1);
  });
});
