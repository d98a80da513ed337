import type { AppRouter } from '@timbrix/api';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  api,
  type Client,
  grant,
  introspect,
  revoke,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';

/** Organization A's owner tries everything on organization B's app, over both transports. */
const server = useTestServer();
let a: Tenant;
let b: Tenant;
let bApp: Client;
let bToken: string;
let bTokenId: string;

beforeAll(async () => {
  [a, b] = await Promise.all([tenant(server().url), tenant(server().url)]);
  bApp = await b.createApp(['read:organization']);
  bToken = await accessToken(server().url, bApp);
  const tokens = await api(server().url, 'GET', `/oauth/apps/${bApp.clientId}/tokens`, {
    token: b.owner.token,
  });
  bTokenId = tokens.body[0].id;
});

const trpcAs = (token: string, organizationId?: string) =>
  createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${server().url}/trpc`,
        headers: {
          authorization: `Bearer ${token}`,
          ...(organizationId ? { 'x-organization-id': organizationId } : {}),
        },
      }),
    ],
  });

async function trpcCode(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
    return 'OK';
  } catch (error) {
    if (error instanceof TRPCClientError) return error.data?.code;
    throw error;
  }
}

/** B's app is exactly as it was. */
async function expectUntouched() {
  const app = await api(server().url, 'GET', `/oauth/apps/${bApp.clientId}`, {
    token: b.owner.token,
  });
  expect(app.body).toMatchObject({ name: 'App', isActive: true, scopes: ['read:organization'] });
  expect((await grant(server().url, bApp)).status).toBe(200);
  expect((await introspect(server().url, bApp, bToken)).body.active).toBe(true);
}

describe('organization A against organization B over REST', () => {
  it.each([
    ['read the app', 'GET', () => `/oauth/apps/${bApp.clientId}`, undefined, 404],
    ['rename the app', 'PATCH', () => `/oauth/apps/${bApp.clientId}`, { name: 'Owned' }, 404],
    ['deactivate the app', 'PATCH', () => `/oauth/apps/${bApp.clientId}`, { isActive: false }, 404],
    ['delete the app', 'DELETE', () => `/oauth/apps/${bApp.clientId}`, undefined, 404],
    ['rotate its secret', 'POST', () => `/oauth/apps/${bApp.clientId}/secret`, {}, 404],
    ['list its tokens', 'GET', () => `/oauth/apps/${bApp.clientId}/tokens`, undefined, 404],
    ['revoke its token', 'DELETE', () => `/oauth/token/${bTokenId}`, undefined, 404],
    ['list B’s apps', 'GET', () => `/oauth/apps/organization/${b.organizationId}`, undefined, 403],
  ] as const)('cannot %s (%s)', async (_, method, path, body, status) => {
    const response = await api(server().url, method, path(), { token: a.owner.token, body });
    expect(response.status).toBe(status);
    await expectUntouched();
  });

  it('cannot create an app in B by naming it in the header or the body', async () => {
    const byHeader = await api(server().url, 'POST', '/oauth/apps', {
      token: a.owner.token,
      body: { name: 'Planted', scopes: ['read:user'] },
      headers: { 'X-Organization-Id': b.organizationId },
    });
    expect(byHeader.status).toBe(403);
    const byBody = await api(server().url, 'POST', '/oauth/apps', {
      token: a.owner.token,
      body: { name: 'Planted', scopes: ['read:user'], organizationId: b.organizationId },
    });
    expect(byBody.status).toBe(201);
    expect(byBody.body.organizationId).toBe(a.organizationId);
    const bApps = await api(server().url, 'GET', `/oauth/apps/organization/${b.organizationId}`, {
      token: b.owner.token,
    });
    expect(bApps.body.map((app: Client) => app.clientId)).toEqual([bApp.clientId]);
  });

  it('cannot invite itself into B', async () => {
    const response = await api(
      server().url,
      'POST',
      `/organizations/${b.organizationId}/members/invite`,
      {
        token: a.owner.token,
        body: { email: a.owner.email, role: 'admin' },
      },
    );
    expect(response.status).toBe(403);
  });
});

describe('organization A against organization B over tRPC', () => {
  it.each([
    [
      'oauthApps.byId',
      () => trpcAs(a.owner.token).oauthApps.byId.query({ clientId: bApp.clientId }),
      'NOT_FOUND',
    ],
    [
      'update',
      () =>
        trpcAs(a.owner.token).oauthApps.update.mutate({ clientId: bApp.clientId, isActive: false }),
      'NOT_FOUND',
    ],
    [
      'oauthApps.delete',
      () => trpcAs(a.owner.token).oauthApps.delete.mutate({ clientId: bApp.clientId }),
      'NOT_FOUND',
    ],
    [
      'oauthApps.rotateSecret',
      () => trpcAs(a.owner.token).oauthApps.rotateSecret.mutate({ clientId: bApp.clientId }),
      'NOT_FOUND',
    ],
    [
      'tokens.list',
      () => trpcAs(a.owner.token).tokens.list.query({ clientId: bApp.clientId }),
      'NOT_FOUND',
    ],
    [
      'tokens.revoke',
      () => trpcAs(a.owner.token).tokens.revoke.mutate({ tokenId: bTokenId }),
      'NOT_FOUND',
    ],
    [
      'oauthApps.list',
      () => trpcAs(a.owner.token).oauthApps.list.query({ organizationId: b.organizationId }),
      'FORBIDDEN',
    ],
    [
      'oauthApps.create in B',
      () =>
        trpcAs(a.owner.token, b.organizationId).oauthApps.create.mutate({
          name: 'x',
          scopes: ['read:user'],
        }),
      'FORBIDDEN',
    ],
  ] as const)('cannot call %s', async (_, call, code) => {
    expect(await trpcCode(call())).toBe(code);
    await expectUntouched();
  });
});

describe('organization A against organization B’s organization, members and people', () => {
  let bOwnerMemberId: string;
  let bInvitationId: string;
  beforeAll(async () => {
    const members = await api(server().url, 'GET', `/organizations/${b.organizationId}/members`, {
      token: b.owner.token,
    });
    bOwnerMemberId = members.body[0].id;
    const invite = await api(
      server().url,
      'POST',
      `/organizations/${b.organizationId}/members/invite`,
      { token: b.owner.token, body: { email: 'someone@example.com', role: 'admin' } },
    );
    bInvitationId = invite.body.id;
  });

  /** B, its members and its invitation are exactly as they were. */
  async function expectBUntouched() {
    const as = { token: b.owner.token };
    const org = await api(server().url, 'GET', `/organizations/${b.organizationId}`, as);
    expect(org.body.name).toBe('Test Org');
    const members = await api(
      server().url,
      'GET',
      `/organizations/${b.organizationId}/members`,
      as,
    );
    expect(members.body).toEqual([expect.objectContaining({ id: bOwnerMemberId, role: 'owner' })]);
    const pending = await api(
      server().url,
      'GET',
      `/organizations/${b.organizationId}/invitations`,
      as,
    );
    expect(pending.body.map((invitation: { id: string }) => invitation.id)).toEqual([
      bInvitationId,
    ]);
  }

  it.each([
    ['read B', 'GET', () => `/organizations/${b.organizationId}`, undefined, 403],
    ['rename B', 'PUT', () => `/organizations/${b.organizationId}`, { name: 'Mine' }, 403],
    ['delete B', 'DELETE', () => `/organizations/${b.organizationId}`, undefined, 403],
    ['list B’s members', 'GET', () => `/organizations/${b.organizationId}/members`, undefined, 403],
    [
      'change a role in B',
      'PUT',
      () => `/organizations/${b.organizationId}/members/${bOwnerMemberId}/role`,
      { role: 'member' },
      403,
    ],
    [
      'remove B’s owner',
      'DELETE',
      () => `/organizations/${b.organizationId}/members/${bOwnerMemberId}`,
      undefined,
      403,
    ],
    [
      'remove B’s owner through A’s path',
      'DELETE',
      () => `/organizations/${a.organizationId}/members/${bOwnerMemberId}`,
      undefined,
      404,
    ],
    [
      'list B’s invitations',
      'GET',
      () => `/organizations/${b.organizationId}/invitations`,
      undefined,
      403,
    ],
    [
      'cancel B’s invitation through A’s path',
      'DELETE',
      () => `/organizations/${a.organizationId}/invitations/${bInvitationId}`,
      undefined,
      404,
    ],
    ['read B’s owner', 'GET', () => `/users/${b.owner.id}`, undefined, 404],
    [
      'list B’s owner’s organizations',
      'GET',
      () => `/users/${b.owner.id}/organizations`,
      undefined,
      404,
    ],
  ] as const)('cannot %s (%s)', async (_, method, path, body, status) => {
    const response = await api(server().url, method, path(), { token: a.owner.token, body });
    expect(response.status).toBe(status);
    await expectBUntouched();
  });

  it('cannot do the same over tRPC', async () => {
    const as = trpcAs(a.owner.token);
    const organizationId = b.organizationId;
    expect(await trpcCode(as.organizations.byId.query({ organizationId }))).toBe('FORBIDDEN');
    expect(await trpcCode(as.organizations.update.mutate({ organizationId, name: 'Mine' }))).toBe(
      'FORBIDDEN',
    );
    expect(await trpcCode(as.members.list.query({ organizationId }))).toBe('FORBIDDEN');
    expect(
      await trpcCode(as.members.remove.mutate({ organizationId, memberId: bOwnerMemberId })),
    ).toBe('FORBIDDEN');
    expect(await trpcCode(as.users.byId.query({ userId: b.owner.id }))).toBe('NOT_FOUND');
    await expectBUntouched();
  });
});

describe('organization A’s clients against organization B’s tokens', () => {
  it('cannot mint a token for B’s app with A’s secret', async () => {
    const aApp = await a.createApp();
    const response = await grant(server().url, {
      clientId: bApp.clientId,
      clientSecret: aApp.clientSecret,
    });
    expect(response.status).toBe(401);
  });

  it('cannot introspect or revoke B’s tokens', async () => {
    const aApp = await a.createApp();
    expect((await introspect(server().url, aApp, bToken)).body).toEqual({ active: false });
    expect((await revoke(server().url, aApp, bToken)).status).toBe(200);
    await expectUntouched();
  });
});

describe('routes on one app judge the app’s own organization, not the header', () => {
  // A's owner names A (where they are owner) in X-Organization-Id: routes that take a clientId
  // must still check the caller's role in the organization that owns that app.
  const inA = () => ({ 'X-Organization-Id': a.organizationId });

  it.each([
    ['read', 'GET', '', undefined],
    ['rename', 'PATCH', '', { name: 'Owned' }],
    ['rotate the secret of', 'POST', '/secret', { graceSeconds: 0 }],
    ['list the tokens of', 'GET', '/tokens', undefined],
    ['delete', 'DELETE', '', undefined],
  ] as const)('cannot %s B’s app over REST', async (_, method, suffix, body) => {
    const response = await api(server().url, method, `/oauth/apps/${bApp.clientId}${suffix}`, {
      token: a.owner.token,
      body,
      headers: inA(),
    });
    expect(response.status).toBe(404);
    await expectUntouched();
  });

  it('cannot read, rename or rotate B’s app over tRPC', async () => {
    const client = trpcAs(a.owner.token, a.organizationId);
    const { clientId } = bApp;
    expect(await trpcCode(client.oauthApps.byId.query({ clientId }))).toBe('NOT_FOUND');
    expect(await trpcCode(client.oauthApps.update.mutate({ clientId, name: 'Owned' }))).toBe(
      'NOT_FOUND',
    );
    expect(await trpcCode(client.oauthApps.rotateSecret.mutate({ clientId }))).toBe('NOT_FOUND');
    await expectUntouched();
  });
});

describe('the app list’s cursor', () => {
  it('must be an app of the listed organization: another’s clientId is a 400', async () => {
    await a.createApp();
    const response = await api(
      server().url,
      'GET',
      `/oauth/apps/organization/${a.organizationId}?after=${bApp.clientId}`,
      { token: a.owner.token },
    );
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(
      /after must be an id from the previous page of this list/,
    );
  });
});

describe('another organization’s app and token look exactly like missing ones', () => {
  it('answer 404 with the very body a missing one gets, on every route', async () => {
    const theirs = await b.createApp();
    const token = await accessToken(server().url, theirs);
    const tokenId = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti;
    const routes: [string, string, unknown?][] = [
      ['GET', `/oauth/apps/${theirs.clientId}`],
      ['PATCH', `/oauth/apps/${theirs.clientId}`, { name: 'Mine now' }],
      ['DELETE', `/oauth/apps/${theirs.clientId}`],
      ['POST', `/oauth/apps/${theirs.clientId}/secret`, {}],
      ['GET', `/oauth/apps/${theirs.clientId}/tokens`],
      ['DELETE', `/oauth/token/${tokenId}`],
    ];
    for (const [method, path, body] of routes) {
      const asA = (at: string) => api(server().url, method, at, { token: a.owner.token, body });
      const theirsResponse = await asA(path);
      const missing = await asA(
        path.replace(theirs.clientId, 'app_0000000000000000').replace(tokenId, 'token_missing'),
      );
      expect(theirsResponse.status, `${method} ${path}`).toBe(404);
      expect(theirsResponse.body).toEqual(missing.body);
    }
    // Nothing changed for its owner.
    expect((await introspect(server().url, theirs, token)).body.active).toBe(true);
    const app = await api(server().url, 'GET', `/oauth/apps/${theirs.clientId}`, {
      token: b.owner.token,
    });
    expect(app.body.name).toBe('App');
  });
});
