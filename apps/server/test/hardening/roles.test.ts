import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  addMember,
  api,
  type Client,
  type SignedUpUser,
  signUp,
  type Tenant,
  tenant,
  uniqueEmail,
  useTestServer,
} from '../harness/index.js';

/** Every management route, for every kind of caller: who gets in, and what the rest get. */
const server = useTestServer();
type Role = 'owner' | 'admin' | 'member' | 'outsider' | 'anonymous';
let org: Tenant;
const people = {} as Record<Exclude<Role, 'anonymous'>, SignedUpUser>;

beforeAll(async () => {
  org = await tenant(server().url);
  people.owner = org.owner;
  [people.admin, people.member, people.outsider] = await Promise.all([
    signUp(server().url),
    signUp(server().url),
    signUp(server().url),
  ]);
  await addMember(server().url, org.owner.token, org.organizationId, people.admin, 'admin');
  await addMember(server().url, org.owner.token, org.organizationId, people.member, 'member');
});

interface Route {
  name: string;
  /** Makes what the call needs (a fresh app, ...) and returns method, path and body. */
  prepare(): Promise<[method: string, path: string, body?: unknown]>;
  success: number;
  /** What a signed-in person outside the organization gets. */
  outsider: 403 | 404;
  /** The roles that succeed (the others get 403); owners and admins unless said. */
  allowed?: Role[];
}

const freshApp = (): Promise<Client> => org.createApp();

/** A new member of the organization, and their membership's id. */
async function freshMember(): Promise<string> {
  const person = await signUp(server().url);
  await addMember(server().url, org.owner.token, org.organizationId, person, 'member');
  const members = await api(server().url, 'GET', `/organizations/${org.organizationId}/members`, {
    token: org.owner.token,
  });
  return members.body.find((m: { user: { id: string } }) => m.user.id === person.id).id;
}

const routes: Route[] = [
  {
    name: 'create an app',
    prepare: async () => ['POST', '/oauth/apps', { name: 'R', scopes: ['read:user'] }],
    success: 201,
    outsider: 403,
  },
  {
    name: 'list apps',
    prepare: async () => ['GET', `/oauth/apps/organization/${org.organizationId}`],
    success: 200,
    outsider: 403,
  },
  {
    name: 'read an app',
    prepare: async () => ['GET', `/oauth/apps/${(await freshApp()).clientId}`],
    success: 200,
    outsider: 404,
  },
  {
    name: 'update an app',
    prepare: async () => ['PATCH', `/oauth/apps/${(await freshApp()).clientId}`, { name: 'New' }],
    success: 200,
    outsider: 404,
  },
  {
    name: 'delete an app',
    prepare: async () => ['DELETE', `/oauth/apps/${(await freshApp()).clientId}`],
    success: 204,
    outsider: 404,
  },
  {
    name: 'rotate a secret',
    prepare: async () => ['POST', `/oauth/apps/${(await freshApp()).clientId}/secret`, {}],
    success: 201,
    outsider: 404,
  },
  {
    name: 'list tokens',
    prepare: async () => ['GET', `/oauth/apps/${(await freshApp()).clientId}/tokens`],
    success: 200,
    outsider: 404,
  },
  {
    name: 'revoke a token',
    prepare: async () => {
      const app = await freshApp();
      const token = await accessToken(server().url, app);
      const { jti } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
      return ['DELETE', `/oauth/token/${jti}`];
    },
    success: 204,
    outsider: 404,
  },
  {
    name: 'invite a member',
    prepare: async () => [
      'POST',
      `/organizations/${org.organizationId}/members/invite`,
      { email: uniqueEmail(), role: 'member' },
    ],
    success: 201,
    outsider: 403,
  },
  {
    name: 'read the organization',
    prepare: async () => ['GET', `/organizations/${org.organizationId}`],
    success: 200,
    outsider: 403,
    allowed: ['owner', 'admin', 'member'],
  },
  {
    name: 'rename the organization',
    prepare: async () => ['PUT', `/organizations/${org.organizationId}`, { name: 'Renamed' }],
    success: 200,
    outsider: 403,
    allowed: ['owner'],
  },
  {
    name: 'list members',
    prepare: async () => ['GET', `/organizations/${org.organizationId}/members`],
    success: 200,
    outsider: 403,
    allowed: ['owner', 'admin', 'member'],
  },
  {
    name: 'change a member’s role',
    prepare: async () => [
      'PUT',
      `/organizations/${org.organizationId}/members/${await freshMember()}/role`,
      { role: 'admin' },
    ],
    success: 200,
    outsider: 403,
  },
  {
    name: 'remove a member',
    prepare: async () => [
      'DELETE',
      `/organizations/${org.organizationId}/members/${await freshMember()}`,
    ],
    success: 204,
    outsider: 403,
  },
  {
    name: 'list pending invitations',
    prepare: async () => ['GET', `/organizations/${org.organizationId}/invitations`],
    success: 200,
    outsider: 403,
  },
  {
    name: 'cancel an invitation',
    prepare: async () => {
      const invite = await api(
        server().url,
        'POST',
        `/organizations/${org.organizationId}/members/invite`,
        { token: org.owner.token, body: { email: uniqueEmail(), role: 'member' } },
      );
      return ['DELETE', `/organizations/${org.organizationId}/invitations/${invite.body.id}`];
    },
    success: 204,
    outsider: 403,
  },
];

function expected(route: Route, role: Role) {
  if (role === 'anonymous') return 401;
  if (role === 'outsider') return route.outsider;
  return (route.allowed ?? ['owner', 'admin']).includes(role) ? route.success : 403;
}

describe.each(routes)('$name', (route) => {
  it.each(['owner', 'admin', 'member', 'outsider', 'anonymous'] as const)('as %s', async (role) => {
    const [method, path, body] = await route.prepare();
    const token = role === 'anonymous' ? undefined : people[role].token;
    const response = await api(server().url, method, path, {
      token,
      body,
      headers: { 'X-Organization-Id': org.organizationId },
    });
    expect(response.status).toBe(expected(route, role));
  });
});
