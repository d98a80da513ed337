import { type Action, ORGANIZATION_CREDENTIAL_ROLE, refusal } from '@timbrix/shared/authorization';
import { SCOPES, type Scope } from '@timbrix/shared/scopes';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  accessToken,
  addMember,
  api,
  type Client,
  clientOf,
  createOrganization,
  grant,
  introspect,
  platformAdminCommand,
  type SignedUpUser,
  signUp,
  type Tenant,
  tenant,
  uniqueEmail,
  uniqueSlug,
  useTestServer,
} from '../harness/index.js';

/**
 * "A token can do what its principal could do, narrowed by its scopes": for every scope, an
 * app's token holding only that scope calls every route of the management API, and gets
 * through exactly where the matrix below says, and a 403 everywhere else. The matrix is
 * written out here by hand, as an independent check of the table in @timbrix/shared.
 */
const server = useTestServer();
const origin = () => server().url;

const AS_ADMIN = ['admin:organization', 'admin:all'] as const satisfies readonly Scope[];
const READ_ORGANIZATION = ['read:organization', ...AS_ADMIN] as const;
const READ_MEMBERS = ['read:members', ...AS_ADMIN] as const;
const WRITE_MEMBERS = ['write:members', ...AS_ADMIN] as const;
const READ_USER = ['read:user', ...AS_ADMIN] as const;

/** What an app's token gets, whatever its scopes, where it can never act. */
const NEVER = {
  ONLY_OWNER: "Only the organization's owner can change or delete it",
  SESSION_REQUIRED:
    'Only a signed-in person can do this: send a session token, not an access token',
  PERSON_REQUIRED:
    "This concerns a person's own account: an app's access token acts for its organization, not for a person",
} as const;

/** One organization, seen by an app's token that holds exactly `scope`. */
interface World {
  scope: Scope;
  /** The token under test, and the app it was granted to. */
  token: string;
  tokenApp: Client;
  /** The organization the calls act on (for admin:all, not the token's app's own). */
  organizationId: string;
  orgName: string;
  orgSlug: string;
  owner: SignedUpUser;
  /** A person with the member role in it. */
  member: SignedUpUser;
  memberId: string;
  memberJoinedAt: string;
  /** A pending invitation, made by the owner. */
  invitation: { id: string; token: string; email: string };
  /** An app of the organization holding exactly `scope` (what the token may hand on). */
  targetApp: Client;
  /** A live token of `targetApp`. */
  targetTokenId: string;
  makeApp(): Promise<Client>;
}

const jtiOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti;

const asOwner = (w: World, method: string, path: string, body?: unknown) =>
  api(origin(), method, path, {
    token: w.owner.token,
    body,
    headers: { 'X-Organization-Id': w.organizationId },
  });

async function membersOf(w: World) {
  const response = await asOwner(w, 'GET', `/organizations/${w.organizationId}/members`);
  expect(response.status).toBe(200);
  return response.body as { id: string; role: string; joinedAt: string; user: { id: string } }[];
}

async function invitationsOf(w: World) {
  const response = await asOwner(w, 'GET', `/organizations/${w.organizationId}/invitations`);
  expect(response.status).toBe(200);
  return response.body as { id: string; email: string; invitedBy: string | null }[];
}

async function invite(w: World, email = uniqueEmail('invitee')) {
  const response = await asOwner(w, 'POST', `/organizations/${w.organizationId}/members/invite`, {
    email,
    role: 'member',
  });
  expect(response.status).toBe(201);
  return { id: response.body.id as string, token: response.body.token as string, email };
}

async function freshMember(w: World) {
  const user = await signUp(origin());
  await addMember(origin(), w.owner.token, w.organizationId, user, 'member');
  const membership = (await membersOf(w)).find((m) => m.user.id === user.id)!;
  return { user, memberId: membership.id };
}

async function secretCount(clientId: string) {
  const [row] = await server().sql<{ n: number }>(
    'select count(*)::int as n from oauth_client_secrets s join oauth_apps a on a.id = s.app_id where a.client_id = $1',
    [clientId],
  );
  return row!.n;
}

async function buildWorld(scope: Scope): Promise<World> {
  const t = await tenant(origin());
  const member = await signUp(origin());
  await addMember(origin(), t.owner.token, t.organizationId, member, 'member');
  let tokenApp: Client;
  if (scope === 'admin:all') {
    // Only a platform administrator gives an app admin:all. The token's app lives in an
    // organization of its own; the calls act on another one. This organization's owner is
    // made one too, only to give its target apps admin:all (what the token may hand on).
    const root = await signUp(origin());
    await platformAdminCommand(server(), root.email);
    await platformAdminCommand(server(), t.owner.email);
    const home = await createOrganization(origin(), root.token, 'Platform');
    const created = await api(origin(), 'POST', '/oauth/apps', {
      token: root.token,
      body: { name: 'Everything', scopes: ['admin:all'] },
      headers: { 'X-Organization-Id': home.id },
    });
    expect(created.status).toBe(201);
    tokenApp = { clientId: created.body.clientId, clientSecret: created.body.clientSecret };
  } else {
    tokenApp = await t.createApp([scope], `Holds ${scope}`);
  }
  const token = await accessToken(origin(), tokenApp);
  const targetApp = await t.createApp([scope], 'Target');
  const targetTokenId = jtiOf(await accessToken(origin(), targetApp));
  const world = {
    scope,
    token,
    tokenApp,
    organizationId: t.organizationId,
    owner: t.owner,
    member,
    targetApp,
    targetTokenId,
    makeApp: () => t.createApp([scope], 'Fresh'),
  } as World;
  const organization = await asOwner(world, 'GET', `/organizations/${t.organizationId}`);
  world.orgName = organization.body.name;
  world.orgSlug = organization.body.slug;
  const membership = (await membersOf(world)).find((m) => m.user.id === member.id)!;
  world.memberId = membership.id;
  world.memberJoinedAt = membership.joinedAt;
  world.invitation = await invite(world);
  return world;
}

interface Prepared {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Reads back what the call should have changed (allowed) or must have left (refused). */
  check?(response: ApiResponse, allowed: boolean): Promise<void> | void;
}

interface Route {
  name: string;
  /** Its row in the authorization table, for the cross-check with @timbrix/shared. */
  action: Action;
  /** The scopes that let an app's token through, the one a refusal asks for first. */
  scopes: readonly Scope[];
  /** What an app's token always gets here, whatever its scopes. */
  never?: keyof typeof NEVER;
  status?: 200 | 201 | 204;
  prepare(w: World, allowed: boolean): Promise<Prepared> | Prepared;
}

const routes: Route[] = [
  {
    name: 'GET /organizations/{organizationId}',
    action: 'organization:read',
    scopes: READ_ORGANIZATION,
    prepare: (w) => ({
      method: 'GET',
      path: `/organizations/${w.organizationId}`,
      check(response, allowed) {
        if (allowed) {
          expect(response.body).toMatchObject({
            id: w.organizationId,
            name: w.orgName,
            slug: w.orgSlug,
            ownerId: w.owner.id,
          });
        }
      },
    }),
  },
  {
    name: 'PUT /organizations/{organizationId}',
    action: 'organization:update',
    scopes: [],
    never: 'ONLY_OWNER',
    prepare: (w) => ({
      method: 'PUT',
      path: `/organizations/${w.organizationId}`,
      body: { name: 'Renamed by a token' },
      async check() {
        const read = await asOwner(w, 'GET', `/organizations/${w.organizationId}`);
        expect(read.body.name).toBe(w.orgName);
      },
    }),
  },
  {
    name: 'GET /organizations/{organizationId}/members',
    action: 'members:read',
    scopes: READ_MEMBERS,
    prepare: (w) => ({
      method: 'GET',
      path: `/organizations/${w.organizationId}/members`,
      check(response, allowed) {
        if (!allowed) return;
        const roles = Object.fromEntries(
          (response.body as { role: string; user: { id: string } }[]).map((m) => [
            m.user.id,
            m.role,
          ]),
        );
        expect(roles).toMatchObject({ [w.owner.id]: 'owner', [w.member.id]: 'member' });
      },
    }),
  },
  {
    name: 'GET /organizations/{organizationId}/invitations',
    action: 'invitations:read',
    scopes: READ_MEMBERS,
    prepare: (w) => ({
      method: 'GET',
      path: `/organizations/${w.organizationId}/invitations`,
      check(response, allowed) {
        if (!allowed) return;
        expect(response.body).toContainEqual(
          expect.objectContaining({
            id: w.invitation.id,
            email: w.invitation.email,
            role: 'member',
            invitedBy: w.owner.id,
          }),
        );
        expect(JSON.stringify(response.body)).not.toContain(w.invitation.token);
      },
    }),
  },
  {
    name: 'POST /organizations/{organizationId}/members/invite',
    action: 'members:manage',
    scopes: WRITE_MEMBERS,
    status: 201,
    prepare: (w) => {
      const email = uniqueEmail('by-token');
      return {
        method: 'POST',
        path: `/organizations/${w.organizationId}/members/invite`,
        body: { email, role: 'member' },
        async check(response, allowed) {
          const pending = (await invitationsOf(w)).find((i) => i.email === email);
          if (!allowed) {
            expect(pending).toBeUndefined();
            return;
          }
          expect(response.body).toMatchObject({ email, role: 'member', token: expect.any(String) });
          // Made by an app, not a person.
          expect(pending).toMatchObject({ id: response.body.id, invitedBy: null });
        },
      };
    },
  },
  {
    name: 'PUT /organizations/{organizationId}/members/{memberId}/role',
    action: 'members:manage',
    scopes: WRITE_MEMBERS,
    prepare: async (w, allowed) => {
      const target = allowed ? await freshMember(w) : { user: w.member, memberId: w.memberId };
      return {
        method: 'PUT',
        path: `/organizations/${w.organizationId}/members/${target.memberId}/role`,
        body: { role: 'admin' },
        async check(response) {
          const role = (await membersOf(w)).find((m) => m.id === target.memberId)?.role;
          expect(role).toBe(allowed ? 'admin' : 'member');
          if (allowed) {
            expect(response.body).toMatchObject({
              id: target.memberId,
              role: 'admin',
              user: { id: target.user.id, email: target.user.email },
            });
          }
        },
      };
    },
  },
  {
    name: 'DELETE /organizations/{organizationId}/invitations/{invitationId}',
    action: 'members:manage',
    scopes: WRITE_MEMBERS,
    status: 204,
    prepare: async (w) => {
      const invitation = await invite(w);
      return {
        method: 'DELETE',
        path: `/organizations/${w.organizationId}/invitations/${invitation.id}`,
        async check(_response, allowed) {
          const ids = (await invitationsOf(w)).map((i) => i.id);
          if (allowed) expect(ids).not.toContain(invitation.id);
          else expect(ids).toContain(invitation.id);
        },
      };
    },
  },
  {
    name: 'GET /users/{userId}',
    action: 'users:read',
    scopes: READ_USER,
    prepare: (w) => ({
      method: 'GET',
      path: `/users/${w.member.id}`,
      check(response, allowed) {
        if (allowed) {
          expect(response.body).toEqual({ id: w.member.id, email: w.member.email, name: null });
        }
      },
    }),
  },
  {
    name: 'GET /users/{userId}/organizations',
    action: 'users:readOrganizations',
    scopes: READ_ORGANIZATION,
    prepare: (w) => ({
      method: 'GET',
      path: `/users/${w.member.id}/organizations`,
      check(response, allowed) {
        if (allowed) {
          expect(response.body).toEqual([
            {
              id: w.organizationId,
              name: w.orgName,
              slug: w.orgSlug,
              role: 'member',
              joinedAt: w.memberJoinedAt,
            },
          ]);
        }
      },
    }),
  },
  {
    name: 'GET /users/me',
    action: 'account:read',
    scopes: [],
    never: 'PERSON_REQUIRED',
    prepare: () => ({ method: 'GET', path: '/users/me' }),
  },
  {
    name: 'GET /users/me/organizations',
    action: 'account:read',
    scopes: [],
    never: 'PERSON_REQUIRED',
    prepare: () => ({ method: 'GET', path: '/users/me/organizations' }),
  },
  {
    name: 'PATCH /users/me {name}',
    action: 'account:update',
    scopes: [],
    never: 'PERSON_REQUIRED',
    prepare: () => {
      const name = `Token ${uniqueSlug('name')}`;
      return {
        method: 'PATCH',
        path: '/users/me',
        body: { name },
        async check() {
          const rows = await server().sql('select 1 from users where name = $1', [name]);
          expect(rows).toHaveLength(0);
        },
      };
    },
  },
  {
    // The first refusal is the account's (a person's), before the password's (a session's).
    name: 'PATCH /users/me {currentPassword, newPassword}',
    action: 'account:update',
    scopes: [],
    never: 'PERSON_REQUIRED',
    prepare: (w) => ({
      method: 'PATCH',
      path: '/users/me',
      body: { currentPassword: w.owner.password, newPassword: 'a-new-password-123' },
      async check() {
        const login = await api(origin(), 'POST', '/auth/login', {
          body: { email: w.owner.email, password: w.owner.password },
        });
        expect(login.status).toBe(200);
      },
    }),
  },
  {
    name: 'POST /oauth/apps',
    action: 'oauthApps:manage',
    scopes: AS_ADMIN,
    status: 201,
    prepare: (w) => {
      const name = `By token ${uniqueSlug('app')}`;
      return {
        method: 'POST',
        path: '/oauth/apps',
        body: { name, scopes: [w.scope] },
        // An app's own token creates in its organization; admin:all names the one it means.
        ...(w.scope === 'admin:all' ? { headers: { 'X-Organization-Id': w.organizationId } } : {}),
        async check(response, allowed) {
          const rows = await server().sql<{ organization_id: string; created_by_id: null }>(
            'select organization_id, created_by_id from oauth_apps where name = $1',
            [name],
          );
          if (!allowed) {
            expect(rows).toHaveLength(0);
            return;
          }
          expect(response.body).toMatchObject({
            name,
            scopes: [w.scope],
            isActive: true,
            organizationId: w.organizationId,
            clientId: expect.stringMatching(/^app_/),
            clientSecret: expect.any(String),
          });
          expect(rows).toEqual([{ organization_id: w.organizationId, created_by_id: null }]);
          const app = {
            clientId: response.body.clientId,
            clientSecret: response.body.clientSecret,
          };
          expect((await grant(origin(), app)).status).toBe(200);
        },
      };
    },
  },
  {
    name: 'GET /oauth/apps/organization/{organizationId}',
    action: 'oauthApps:manage',
    scopes: AS_ADMIN,
    prepare: (w) => ({
      method: 'GET',
      path: `/oauth/apps/organization/${w.organizationId}`,
      check(response, allowed) {
        if (!allowed) return;
        const ids = (response.body as { clientId: string }[]).map((app) => app.clientId);
        expect(ids).toContain(w.targetApp.clientId);
        // The admin:all token's own app belongs to another organization.
        if (w.scope === 'admin:all') expect(ids).not.toContain(w.tokenApp.clientId);
        else expect(ids).toContain(w.tokenApp.clientId);
      },
    }),
  },
  {
    name: 'GET /oauth/apps/{clientId}',
    action: 'oauthApps:manage',
    scopes: AS_ADMIN,
    prepare: (w) => ({
      method: 'GET',
      path: `/oauth/apps/${w.targetApp.clientId}`,
      check(response, allowed) {
        if (allowed) {
          expect(response.body).toMatchObject({
            clientId: w.targetApp.clientId,
            name: 'Target',
            scopes: [w.scope],
          });
          expect(JSON.stringify(response.body)).not.toContain(w.targetApp.clientSecret);
        }
      },
    }),
  },
  {
    name: 'PATCH /oauth/apps/{clientId}',
    action: 'oauthApps:manage',
    scopes: AS_ADMIN,
    prepare: (w) => {
      const description = `changed ${uniqueSlug('d')}`;
      return {
        method: 'PATCH',
        path: `/oauth/apps/${w.targetApp.clientId}`,
        body: { description },
        async check(response, allowed) {
          const read = await asOwner(w, 'GET', `/oauth/apps/${w.targetApp.clientId}`);
          expect(read.status).toBe(200);
          expect(read.body.description === description).toBe(allowed);
          if (allowed) expect(response.body).toMatchObject({ description, scopes: [w.scope] });
        },
      };
    },
  },
  {
    name: 'GET /oauth/apps/{clientId}/tokens',
    action: 'oauthApps:manage',
    scopes: AS_ADMIN,
    prepare: (w) => ({
      method: 'GET',
      path: `/oauth/apps/${w.targetApp.clientId}/tokens`,
      check(response, allowed) {
        if (!allowed) return;
        expect(response.body).toContainEqual(
          expect.objectContaining({ id: w.targetTokenId, scopes: [w.scope] }),
        );
      },
    }),
  },
  {
    name: 'DELETE /oauth/token/{tokenId}',
    action: 'oauthApps:manage',
    scopes: AS_ADMIN,
    status: 204,
    prepare: async (w) => {
      const token = await accessToken(origin(), w.targetApp);
      return {
        method: 'DELETE',
        path: `/oauth/token/${jtiOf(token)}`,
        async check(_response, allowed) {
          const { body } = await introspect(origin(), w.targetApp, token);
          expect(body.active).toBe(!allowed);
        },
      };
    },
  },
  {
    name: 'POST /oauth/apps/{clientId}/secret',
    action: 'oauthApps:manage',
    scopes: AS_ADMIN,
    status: 201,
    prepare: async (w) => {
      const before = await secretCount(w.targetApp.clientId);
      return {
        method: 'POST',
        path: `/oauth/apps/${w.targetApp.clientId}/secret`,
        body: {},
        async check(response, allowed) {
          expect(await secretCount(w.targetApp.clientId)).toBe(before + (allowed ? 1 : 0));
          if (!allowed) return;
          expect(response.body).toMatchObject({
            clientId: w.targetApp.clientId,
            clientSecret: expect.any(String),
            previousSecretExpiresAt: expect.any(String),
          });
          const rotated = { ...w.targetApp, clientSecret: response.body.clientSecret };
          expect((await grant(origin(), rotated)).status).toBe(200);
          w.targetApp = rotated;
        },
      };
    },
  },
  {
    name: 'DELETE /oauth/apps/{clientId}',
    action: 'oauthApps:manage',
    scopes: AS_ADMIN,
    status: 204,
    prepare: async (w) => {
      const app = await w.makeApp();
      return {
        method: 'DELETE',
        path: `/oauth/apps/${app.clientId}`,
        async check(_response, allowed) {
          const read = await asOwner(w, 'GET', `/oauth/apps/${app.clientId}`);
          expect(read.status).toBe(allowed ? 404 : 200);
        },
      };
    },
  },
  {
    name: 'DELETE /organizations/{organizationId}/members/{memberId}',
    action: 'members:manage',
    scopes: WRITE_MEMBERS,
    status: 204,
    prepare: async (w, allowed) => {
      const target = allowed ? await freshMember(w) : { user: w.member, memberId: w.memberId };
      return {
        method: 'DELETE',
        path: `/organizations/${w.organizationId}/members/${target.memberId}`,
        async check() {
          const ids = (await membersOf(w)).map((m) => m.id);
          if (allowed) expect(ids).not.toContain(target.memberId);
          else expect(ids).toContain(target.memberId);
        },
      };
    },
  },
  {
    name: 'POST /organizations',
    action: 'organizations:create',
    scopes: [],
    never: 'SESSION_REQUIRED',
    prepare: () => {
      const slug = uniqueSlug('by-token');
      return {
        method: 'POST',
        path: '/organizations',
        body: { name: 'By a token', slug },
        async check() {
          const rows = await server().sql('select 1 from organizations where slug = $1', [slug]);
          expect(rows).toHaveLength(0);
        },
      };
    },
  },
  {
    name: 'POST /invites/accept',
    action: 'invitations:accept',
    scopes: [],
    never: 'SESSION_REQUIRED',
    prepare: (w) => ({
      method: 'POST',
      path: '/invites/accept',
      body: { token: w.invitation.token },
      async check() {
        expect((await invitationsOf(w)).map((i) => i.id)).toContain(w.invitation.id);
      },
    }),
  },
  {
    name: 'POST /auth/logout',
    action: 'account:secure',
    scopes: [],
    never: 'SESSION_REQUIRED',
    prepare: (w) => ({
      method: 'POST',
      path: '/auth/logout',
      async check() {
        expect((await introspect(origin(), w.tokenApp, w.token)).body.active).toBe(true);
      },
    }),
  },
  {
    name: 'POST /auth/logout-all',
    action: 'account:secure',
    scopes: [],
    never: 'SESSION_REQUIRED',
    prepare: (w) => ({
      method: 'POST',
      path: '/auth/logout-all',
      async check() {
        expect((await asOwner(w, 'GET', '/users/me')).status).toBe(200);
        expect((await introspect(origin(), w.tokenApp, w.token)).body.active).toBe(true);
      },
    }),
  },
  {
    // Last: were it let through, nothing would be left to call.
    name: 'DELETE /organizations/{organizationId}',
    action: 'organization:delete',
    scopes: [],
    never: 'SESSION_REQUIRED',
    prepare: (w) => ({
      method: 'DELETE',
      path: `/organizations/${w.organizationId}`,
      async check() {
        expect((await asOwner(w, 'GET', `/organizations/${w.organizationId}`)).status).toBe(200);
      },
    }),
  },
];

function expectForbidden(response: ApiResponse, message: string) {
  expect(response.status).toBe(403);
  expect(response.body).toEqual({
    statusCode: 403,
    error: 'Forbidden',
    code: 'FORBIDDEN',
    message,
  });
}

function expectInsufficientScope(response: ApiResponse, scopes: readonly Scope[]) {
  const [needed, ...others] = scopes;
  const alternatives = others.length > 0 ? ` (or ${others.join(', ')})` : '';
  expectForbidden(
    response,
    `This access token lacks the scope ${needed}${alternatives} that this needs`,
  );
  expect(response.headers.get('www-authenticate')).toBe(
    `Bearer realm="timbrix", error="insufficient_scope", scope="${needed}"`,
  );
}

const allows = (route: Route, scope: Scope) => !route.never && route.scopes.includes(scope);

describe('the matrix agrees with the table in @timbrix/shared', () => {
  for (const route of routes) {
    it(route.name, () => {
      for (const scope of SCOPES) {
        const standing = {
          credential: 'app_token' as const,
          role: ORGANIZATION_CREDENTIAL_ROLE,
          scopes: [scope],
        };
        expect([scope, refusal(route.action, standing) === null]).toEqual([
          scope,
          allows(route, scope),
        ]);
      }
    });
  }

  it('covers every scope the server knows', () => {
    expect(SCOPES).toEqual([
      'read:user',
      'write:user',
      'read:organization',
      'write:organization',
      'read:members',
      'write:members',
      'read:webhooks',
      'write:webhooks',
      'admin:organization',
      'admin:all',
    ]);
  });
});

for (const scope of SCOPES) {
  describe(`an app token with only ${scope}`, () => {
    let world: World;
    beforeAll(async () => {
      world = await buildWorld(scope);
    });

    for (const route of routes) {
      it(`${allows(route, scope) ? 'may' : 'may not'}: ${route.name}`, async () => {
        const allowed = allows(route, scope);
        const prepared = await route.prepare(world, allowed);
        const response = await api(origin(), prepared.method, prepared.path, {
          token: world.token,
          body: prepared.body,
          headers: prepared.headers,
        });
        if (allowed) {
          expect(response.status).toBe(route.status ?? 200);
        } else if (route.never) {
          expectForbidden(response, NEVER[route.never]);
        } else {
          expectInsufficientScope(response, route.scopes);
        }
        await prepared.check?.(response, allowed);
      });
    }
  });
}

describe('an app token acts for its own organization only', () => {
  let acme: Tenant;
  let globex: Tenant;
  let token: string;
  let globexApp: Client;
  let globexToken: string;
  let globexAdmin: SignedUpUser;
  let globexAdminMemberId: string;
  let globexInvitationId: string;
  const NOBODY = '00000000-0000-4000-8000-000000000000';

  beforeAll(async () => {
    [acme, globex] = await Promise.all([tenant(origin()), tenant(origin())]);
    token = await accessToken(origin(), await acme.createApp(['admin:organization']));
    globexApp = await globex.createApp(['admin:organization']);
    globexToken = await accessToken(origin(), globexApp);
    globexAdmin = await signUp(origin());
    await addMember(origin(), globex.owner.token, globex.organizationId, globexAdmin, 'member');
    const asGlobex = { token: globex.owner.token };
    const members = await api(
      origin(),
      'GET',
      `/organizations/${globex.organizationId}/members`,
      asGlobex,
    );
    globexAdminMemberId = members.body.find((m: any) => m.user.id === globexAdmin.id).id;
    const invited = await api(
      origin(),
      'POST',
      `/organizations/${globex.organizationId}/members/invite`,
      { ...asGlobex, body: { email: uniqueEmail(), role: 'member' } },
    );
    globexInvitationId = invited.body.id;
  });

  const organizationRoutes = (organizationId: string): [string, string, unknown?][] => [
    ['GET', `/organizations/${organizationId}`],
    ['PUT', `/organizations/${organizationId}`, { name: 'Taken over' }],
    ['GET', `/organizations/${organizationId}/members`],
    ['GET', `/organizations/${organizationId}/invitations`],
    [
      'POST',
      `/organizations/${organizationId}/members/invite`,
      { email: uniqueEmail(), role: 'admin' },
    ],
    [
      'PUT',
      `/organizations/${organizationId}/members/${globexAdminMemberId}/role`,
      { role: 'admin' },
    ],
    ['DELETE', `/organizations/${organizationId}/members/${globexAdminMemberId}`],
    ['DELETE', `/organizations/${organizationId}/invitations/${globexInvitationId}`],
    ['GET', `/oauth/apps/organization/${organizationId}`],
  ];

  it('answers 403 NOT_A_MEMBER on another organization’s routes, as on an unknown one', async () => {
    for (const organizationId of [globex.organizationId, NOBODY]) {
      for (const [method, path, body] of organizationRoutes(organizationId)) {
        const response = await api(origin(), method, path, { token, body });
        expect([method, path, response.status]).toEqual([method, path, 403]);
        expect(response.body.message).toBe('You are not a member of this organization');
      }
      const created = await api(origin(), 'POST', '/oauth/apps', {
        token,
        body: { name: 'Planted', scopes: ['admin:organization'] },
        headers: { 'X-Organization-Id': organizationId },
      });
      expect(created.status).toBe(403);
      expect(created.body.message).toBe('You are not a member of this organization');
    }

    // Nothing in globex changed.
    const asGlobex = { token: globex.owner.token };
    const read = await api(origin(), 'GET', `/organizations/${globex.organizationId}`, asGlobex);
    expect(read.body.name).toBe('Test Org');
    const members = await api(
      origin(),
      'GET',
      `/organizations/${globex.organizationId}/members`,
      asGlobex,
    );
    expect(members.body.map((m: any) => [m.user.id, m.role])).toEqual([
      [globex.owner.id, 'owner'],
      [globexAdmin.id, 'member'],
    ]);
    const invitations = await api(
      origin(),
      'GET',
      `/organizations/${globex.organizationId}/invitations`,
      asGlobex,
    );
    expect(invitations.body.map((i: any) => i.id)).toEqual([globexInvitationId]);
    const apps = await api(
      origin(),
      'GET',
      `/oauth/apps/organization/${globex.organizationId}`,
      asGlobex,
    );
    expect(apps.body.map((a: any) => a.clientId)).toEqual([globexApp.clientId]);
  });

  it('answers 404 for another organization’s apps and tokens, as for unknown ones', async () => {
    for (const clientId of [globexApp.clientId, 'app_0000000000000000']) {
      for (const [method, path, body] of [
        ['GET', `/oauth/apps/${clientId}`],
        ['PATCH', `/oauth/apps/${clientId}`, { isActive: false }],
        ['POST', `/oauth/apps/${clientId}/secret`, { graceSeconds: 0 }],
        ['GET', `/oauth/apps/${clientId}/tokens`],
        ['DELETE', `/oauth/apps/${clientId}`],
      ] as [string, string, unknown?][]) {
        const response = await api(origin(), method, path, { token, body });
        expect([method, path, response.status]).toEqual([method, path, 404]);
        expect(response.body.message).toBe('No OAuth application with this clientId');
      }
    }
    for (const tokenId of [jtiOf(globexToken), 'token_00000000000000000000000000000000']) {
      const response = await api(origin(), 'DELETE', `/oauth/token/${tokenId}`, { token });
      expect(response.status).toBe(404);
      expect(response.body.message).toBe('No such token');
    }
    // The app, its secret and its token all still work.
    expect((await introspect(origin(), globexApp, globexToken)).body.active).toBe(true);
    expect((await grant(origin(), globexApp)).status).toBe(200);
  });

  it('answers 404 for a person outside its organization, as for no one', async () => {
    for (const userId of [globex.owner.id, NOBODY]) {
      for (const path of [`/users/${userId}`, `/users/${userId}/organizations`]) {
        const response = await api(origin(), 'GET', path, { token });
        expect([path, response.status]).toEqual([path, 404]);
        expect(response.body.message).toBe(
          'No such person among those who share an organization with you',
        );
      }
    }
  });

  it('stands in its own organization however its UUID is cased, as a session does', async () => {
    // The API takes an upper-case UUID as the same id: the owner's session reads the
    // organization by it. The app's token, an admin there, must too.
    const upper = acme.organizationId.toUpperCase();
    for (const path of [`/organizations/${upper}`, `/organizations/${upper}/members`]) {
      const bySession = await api(origin(), 'GET', path, { token: acme.owner.token });
      expect([path, bySession.status]).toEqual([path, 200]);
      const byToken = await api(origin(), 'GET', path, { token });
      expect([path, byToken.status, byToken.body]).toEqual([path, 200, bySession.body]);
    }
  });

  it('with admin:all stands in any existing organization, and in no made-up one', async () => {
    const root = await signUp(origin());
    await platformAdminCommand(server(), root.email);
    const home = await createOrganization(origin(), root.token, 'Platform');
    const app = await api(origin(), 'POST', '/oauth/apps', {
      token: root.token,
      body: { name: 'Everything', scopes: ['admin:all'] },
      headers: { 'X-Organization-Id': home.id },
    });
    const everywhere = await accessToken(origin(), app.body);
    const read = await api(origin(), 'GET', `/organizations/${globex.organizationId}`, {
      token: everywhere,
    });
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(globex.organizationId);
    const unknown = await api(origin(), 'GET', `/organizations/${NOBODY}`, { token: everywhere });
    expect(unknown.status).toBe(403);
    expect(unknown.body.message).toBe('You are not a member of this organization');
    // Without a header, it creates in its own app's organization.
    const created = await api(origin(), 'POST', '/oauth/apps', {
      token: everywhere,
      body: { name: 'At home', scopes: ['admin:all'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.organizationId).toBe(home.id);
    // Still an admin, never the owner.
    const rename = await api(origin(), 'PUT', `/organizations/${globex.organizationId}`, {
      token: everywhere,
      body: { name: 'Renamed' },
    });
    expect(rename.status).toBe(403);
    expect(rename.body.message).toBe("Only the organization's owner can change or delete it");
  });
});

describe('an app token acts as an admin, never as the owner', () => {
  it('cannot change or remove an admin or the owner, and can a member', async () => {
    const acme = await tenant(origin());
    const [admin, member] = await Promise.all([signUp(origin()), signUp(origin())]);
    await addMember(origin(), acme.owner.token, acme.organizationId, admin, 'admin');
    await addMember(origin(), acme.owner.token, acme.organizationId, member, 'member');
    const token = await accessToken(
      origin(),
      await acme.createApp(['write:members', 'read:members']),
    );
    const base = `/organizations/${acme.organizationId}/members`;
    const members = (await api(origin(), 'GET', base, { token })).body as any[];
    const idOf = (userId: string) => members.find((m) => m.user.id === userId).id;

    const refusals: [string, string, unknown, string][] = [
      [
        'PUT',
        `${base}/${idOf(admin.id)}/role`,
        { role: 'member' },
        "Only the owner can change an admin's role or remove an admin",
      ],
      [
        'DELETE',
        `${base}/${idOf(admin.id)}`,
        undefined,
        "Only the owner can change an admin's role or remove an admin",
      ],
      [
        'PUT',
        `${base}/${idOf(acme.owner.id)}/role`,
        { role: 'admin' },
        "The owner's role never changes, and the owner cannot be removed or leave: the owner deletes the organization instead",
      ],
      [
        'DELETE',
        `${base}/${idOf(acme.owner.id)}`,
        undefined,
        "The owner's role never changes, and the owner cannot be removed or leave: the owner deletes the organization instead",
      ],
    ];
    for (const [method, path, body, message] of refusals) {
      const response = await api(origin(), method, path, { token, body });
      expect([method, path, response.status, response.body.message]).toEqual([
        method,
        path,
        403,
        message,
      ]);
    }
    const promoted = await api(origin(), 'PUT', `${base}/${idOf(member.id)}/role`, {
      token,
      body: { role: 'admin' },
    });
    expect(promoted.status).toBe(200);
    const after = (await api(origin(), 'GET', base, { token: acme.owner.token })).body as any[];
    expect(after.map((m) => [m.user.id, m.role])).toEqual([
      [acme.owner.id, 'owner'],
      [admin.id, 'admin'],
      [member.id, 'admin'],
    ]);
  });
});

describe('an app a token registers or changes gets no scope the token lacks', () => {
  let acme: Tenant;
  let token: string;
  beforeAll(async () => {
    acme = await tenant(origin());
    token = await accessToken(origin(), await acme.createApp(['admin:organization', 'read:user']));
  });

  const lacks = (scopes: string) =>
    `An access token can give only scopes it holds itself; it lacks ${scopes}`;

  it('creates with scopes it holds, and refuses any other', async () => {
    const held = await api(origin(), 'POST', '/oauth/apps', {
      token,
      body: { name: 'Held', scopes: ['read:user', 'admin:organization'] },
    });
    expect(held.status).toBe(201);
    expect(held.body.scopes).toEqual(['read:user', 'admin:organization']);

    for (const [scopes, missing] of [
      [['read:user', 'write:members'], 'write:members'],
      [['admin:all'], 'admin:all'],
      [['read:members', 'write:user', 'read:user'], 'read:members, write:user'],
    ] as const) {
      const name = `Wants ${uniqueSlug()}`;
      const response = await api(origin(), 'POST', '/oauth/apps', {
        token,
        body: { name, scopes },
      });
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: 'FORBIDDEN', message: lacks(missing) });
      expect(await server().sql('select 1 from oauth_apps where name = $1', [name])).toEqual([]);
    }
  });

  it('cannot widen an app, nor hand out a new secret of one holding more than it', async () => {
    const app = await acme.createApp(['read:user']);
    const widen = await api(origin(), 'PATCH', `/oauth/apps/${app.clientId}`, {
      token,
      body: { scopes: ['read:user', 'write:members'] },
    });
    expect(widen.status).toBe(403);
    expect(widen.body.message).toBe(lacks('write:members'));

    const wider = await acme.createApp(['read:user', 'read:members']);
    const rotate = await api(origin(), 'POST', `/oauth/apps/${wider.clientId}/secret`, {
      token,
      body: {},
    });
    expect(rotate.status).toBe(403);
    expect(rotate.body.message).toBe(lacks('read:members'));
    expect(await secretCount(wider.clientId)).toBe(1);

    const read = await api(origin(), 'GET', `/oauth/apps/${app.clientId}`, { token });
    expect(read.body.scopes).toEqual(['read:user']);
  });
});

describe('the tRPC transport', () => {
  it('applies the same scopes', async () => {
    const acme = await tenant(origin());
    const narrow = await accessToken(origin(), await acme.createApp(['read:user']));
    const wide = await accessToken(origin(), await acme.createApp(['read:organization']));
    const read = await clientOf(origin(), wide).organizations.byId.query({
      organizationId: acme.organizationId,
    });
    expect(read.id).toBe(acme.organizationId);
    // The same challenge as over REST.
    const input = encodeURIComponent(JSON.stringify({ organizationId: acme.organizationId }));
    const raw = await fetch(`${origin()}/trpc/organizations.byId?input=${input}`, {
      headers: { authorization: `Bearer ${narrow}` },
    });
    expect(raw.status).toBe(403);
    expect(raw.headers.get('www-authenticate')).toBe(
      'Bearer realm="timbrix", error="insufficient_scope", scope="read:organization"',
    );
    const refused = clientOf(origin(), narrow).organizations.byId.query({
      organizationId: acme.organizationId,
    });
    await expect(refused).rejects.toMatchObject({
      message:
        'This access token lacks the scope read:organization (or admin:organization, admin:all) that this needs',
      data: { code: 'FORBIDDEN', httpStatus: 403 },
    });
  });
});
