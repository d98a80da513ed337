import type { Scope } from '@timbrix/shared/scopes';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  api,
  authorizeAs,
  type Client,
  clientOf,
  consoleCookie,
  expectInvalidGrant,
  formPost,
  grant,
  pkce,
  requestOf,
  revoke,
  type SignedUpUser,
  signUp,
  startTestServer,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';

/**
 * Refresh tokens (RFC 6749 section 6, rotated per RFC 9700 section 4.14.2), what a person's
 * token may do, and everything that ends a person's authorization, over real HTTP.
 */
const server = useTestServer();
const origin = () => server().url;

const REDIRECT = 'https://app.example.com/callback';
const APP_SCOPES: Scope[] = ['read:user', 'read:organization', 'read:members', 'write:members'];
let acme: Tenant;
let app: Client;
let member: SignedUpUser;
let memberCookie: string;

beforeAll(async () => {
  acme = await tenant(origin());
  app = await acme.createApp(APP_SCOPES, 'Acme CRM', REDIRECT);
  member = await signUp(origin());
  await addMember(origin(), acme.owner.token, acme.organizationId, member, 'member');
  memberCookie = await consoleCookie(origin(), member);
});

interface Tokens {
  access_token: string;
  refresh_token: string;
  scope: string;
}

/** A person's approval of `client`, exchanged: the first tokens of a new family. */
async function tokensFor(
  cookie = memberCookie,
  client = app,
  scope?: string,
  at = origin(),
): Promise<Tokens> {
  const proof = pkce();
  const request = requestOf(client, REDIRECT, proof, { prompt: 'consent', scope });
  const answer = await authorizeAs(at, cookie, request);
  const response = await formPost(
    at,
    '/oauth2/token',
    {
      grant_type: 'authorization_code',
      code: answer.code!,
      redirect_uri: REDIRECT,
      code_verifier: proof.verifier,
    },
    client,
  );
  expect(response.status).toBe(200);
  return response.body;
}

const refresh = (refreshToken: string, client = app, scope?: string, at = origin()) =>
  formPost(
    at,
    '/oauth2/token',
    { grant_type: 'refresh_token', refresh_token: refreshToken, ...(scope ? { scope } : {}) },
    client,
  );

const meWith = (token: string) => api(origin(), 'GET', '/users/me', { token });

/** Every token of the family is dead: the access token answers 401, the refresh token fails. */
async function expectFamilyEnded(tokens: Tokens) {
  expect((await meWith(tokens.access_token)).status).toBe(401);
  expect((await refresh(tokens.refresh_token)).body.error).toBe('invalid_grant');
}

describe('POST /api/oauth2/token grant_type=refresh_token', () => {
  it('rotates: new tokens answer, and the old refresh token is spent', async () => {
    const first = await tokensFor();
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: APP_SCOPES.join(' '),
      refresh_token: expect.stringMatching(/^rt_/),
    });
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect((await meWith(second.body.access_token)).body.id).toBe(member.id);
    // The access token of the first round lives on: rotation spends refresh tokens only.
    expect((await meWith(first.access_token)).status).toBe(200);
  });

  it('needs the client’s authentication', async () => {
    const { refresh_token } = await tokensFor();
    const anonymous = await formPost(origin(), '/oauth2/token', {
      grant_type: 'refresh_token',
      refresh_token,
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('invalid_client');
  });

  it('a rotated token presented again ends the whole family, and says so in the log', async () => {
    const first = await tokensFor();
    const second = (await refresh(first.refresh_token)).body as Tokens;
    expectInvalidGrant(await refresh(first.refresh_token), /already used.*revoked/);
    await expectFamilyEnded(second);
    expect((await meWith(first.access_token)).status).toBe(401);
    const logs = server().logs();
    expect(logs).toContain('refresh_token.reuse_detected');
    expect(logs).not.toContain(first.refresh_token);
    expect(logs).not.toContain(second.refresh_token);
    // And so does the organization's event stream, in the statement that ended the family.
    const [event] = await server().sql(
      `select e.* from events e join oauth_authorizations a on a.id::text = e.target_id
        where e.type = 'refresh_token.reuse_detected' and a.revoked_at is not null
        order by e.created_at desc limit 1`,
    );
    expect(event).toMatchObject({
      organization_id: acme.organizationId,
      actor_type: 'app',
      actor_id: app.clientId,
      target_type: 'authorization',
      data: { clientId: app.clientId, userId: member.id },
    });
    expect(JSON.stringify(event)).not.toContain('rt_');
  });

  it('of two racing uses of one token, one answers and then the family ends', async () => {
    const first = await tokensFor();
    const answers = await Promise.all([
      refresh(first.refresh_token),
      refresh(first.refresh_token),
      refresh(first.refresh_token),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400]);
    await expectFamilyEnded(answers.find((a) => a.status === 200)!.body);
  });

  it('refuses another client’s refresh token, which keeps working for its own', async () => {
    const other = await acme.createApp(['read:user'], 'Other', REDIRECT);
    const tokens = await tokensFor();
    expectInvalidGrant(await refresh(tokens.refresh_token, other), /another client/);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });

  it('narrows the access token within the authorization, never beyond it', async () => {
    const tokens = await tokensFor(memberCookie, app, 'read:user read:members');
    const narrowed = await refresh(tokens.refresh_token, app, 'read:user');
    expect(narrowed.body.scope).toBe('read:user');
    // The authorization keeps its scopes: the next refresh may ask for all of them again.
    const again = await refresh(narrowed.body.refresh_token);
    expect(again.body.scope).toBe('read:user read:members');
    const beyond = await refresh(again.body.refresh_token, app, 'read:user write:members');
    expect(beyond.status).toBe(400);
    expect(beyond.body).toEqual({
      error: 'invalid_scope',
      error_description: 'The authorization does not include: write:members',
    });
  });

  it('refuses what it never issued without a lookup, and bad JSON with the field named', async () => {
    expectInvalidGrant(await refresh('rt_made-up'), /not one this server issued/);
    const json = await api(origin(), 'POST', '/oauth/token/refresh', {
      body: { refreshToken: 'rt_x', clientId: app.clientId },
    });
    expect(json.status).toBe(400);
    expect(json.body).toMatchObject({ error: 'invalid_request', statusCode: 400 });
    expect(json.body.message).toMatch(/^clientSecret: /);
  });

  it('works in the documented JSON form, with the client’s credentials', async () => {
    const tokens = await tokensFor();
    const response = await api(origin(), 'POST', '/oauth/token/refresh', {
      body: {
        refreshToken: tokens.refresh_token,
        clientId: app.clientId,
        clientSecret: app.clientSecret,
      },
    });
    expect(response.status).toBe(200);
    expect(response.body.refresh_token).toMatch(/^rt_/);
    const replay = await api(origin(), 'POST', '/oauth/token/refresh', {
      body: {
        refreshToken: tokens.refresh_token,
        clientId: app.clientId,
        clientSecret: app.clientSecret,
      },
    });
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
  });

  it('ends a fixed time after the authorization, whatever the rotations', async () => {
    const brief = await startTestServer({
      peerOf: server(),
      env: { REFRESH_TOKEN_TTL_SECONDS: '2' },
    });
    try {
      const cookie = await consoleCookie(brief.url, member);
      const first = await tokensFor(cookie, app, undefined, brief.url);
      const rotated = await refresh(first.refresh_token, app, undefined, brief.url);
      expect(rotated.status).toBe(200);
      // Its access token ends with the family, not an hour later.
      expect(rotated.body.expires_in).toBeLessThanOrEqual(2);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expectInvalidGrant(
        await refresh(rotated.body.refresh_token, app, undefined, brief.url),
        /expired/,
      );
    } finally {
      await brief.close();
    }
  });

  it('RFC 7009: revoking a refresh token ends its family; another client’s revocation does nothing', async () => {
    const tokens = await tokensFor();
    const other = await acme.createApp(['read:user'], 'Other', REDIRECT);
    expect((await revoke(origin(), other, tokens.refresh_token)).status).toBe(200);
    expect((await meWith(tokens.access_token)).status).toBe(200);
    expect((await revoke(origin(), app, tokens.refresh_token)).status).toBe(200);
    await expectFamilyEnded(tokens);
  });

  it('does not draw on the client’s allowance for its own tokens', async () => {
    const limited = await startTestServer({
      peerOf: server(),
      env: { RATE_LIMITS: 'on', RATE_LIMIT_GRANTS_PER_CLIENT: '1' },
    });
    try {
      const at = limited.url;
      expect((await grant(at, app)).status).toBe(200);
      expect((await grant(at, app)).status).toBe(429);
      const tokens = await tokensFor(await consoleCookie(at, member), app, undefined, at);
      expect((await refresh(tokens.refresh_token, app, undefined, at)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('a person’s access token', () => {
  it('acts with the person’s current role, narrowed by its scopes', async () => {
    const person = await signUp(origin());
    await addMember(origin(), acme.owner.token, acme.organizationId, person, 'member');
    const tokens = await tokensFor(await consoleCookie(origin(), person));
    const invite = () =>
      api(origin(), 'POST', `/organizations/${acme.organizationId}/members/invite`, {
        token: tokens.access_token,
        body: { email: `${Math.random().toString(36).slice(2)}@example.com`, role: 'member' },
      });
    expect((await invite()).status).toBe(403);

    const owner = clientOf(origin(), acme.owner.token, acme.organizationId);
    const members = await owner.members.list.query({ organizationId: acme.organizationId });
    const membership = members.find((m) => m.user.id === person.id)!;
    await owner.members.changeRole.mutate({
      organizationId: acme.organizationId,
      memberId: membership.id,
      role: 'admin',
    });
    expect((await invite()).status).toBe(201);
    // Beyond its scopes it cannot, whatever the role: it holds no admin:organization.
    const apps = await api(origin(), 'GET', `/oauth/apps/organization/${acme.organizationId}`, {
      token: tokens.access_token,
    });
    expect(apps.status).toBe(403);
  });

  it('cannot sign out, change a password or answer a consent screen', async () => {
    const tokens = await tokensFor();
    const logout = await api(origin(), 'POST', '/auth/logout', { token: tokens.access_token });
    expect(logout.status).toBe(403);
    const revokeAll = await api(origin(), 'DELETE', `/users/me/authorizations/${app.clientId}`, {
      token: tokens.access_token,
    });
    expect(revokeAll.status).toBe(403);
  });
});

describe('a person’s token in another of their organizations', () => {
  it('stands nowhere there: it acts in its app’s organization only', async () => {
    const other = await tenant(origin());
    await addMember(origin(), other.owner.token, other.organizationId, member, 'admin');
    const tokens = await tokensFor();
    const members = await api(origin(), 'GET', `/organizations/${other.organizationId}/members`, {
      token: tokens.access_token,
    });
    expect(members.status).toBe(403);
    expect(members.body.message).toMatch(/not a member/);
    const outsider = await api(origin(), 'GET', `/users/${other.owner.id}`, {
      token: tokens.access_token,
    });
    expect(outsider.status).toBe(404);
    const colleague = await api(origin(), 'GET', `/users/${acme.owner.id}`, {
      token: tokens.access_token,
    });
    expect(colleague.status).toBe(200);
    const theirs = await api(origin(), 'GET', `/users/${member.id}/organizations`, {
      token: tokens.access_token,
    });
    expect(theirs.body.map((o: { id: string }) => o.id)).toEqual([acme.organizationId]);
    // The same person, signed in, reaches both.
    const signedIn = await api(origin(), 'GET', `/organizations/${other.organizationId}/members`, {
      token: member.token,
    });
    expect(signedIn.status).toBe(200);
  });
});

describe('what ends a person’s authorization', () => {
  it('the person removed from the organization: at once, and for good', async () => {
    const person = await signUp(origin());
    await addMember(origin(), acme.owner.token, acme.organizationId, person, 'member');
    const tokens = await tokensFor(await consoleCookie(origin(), person));
    const owner = clientOf(origin(), acme.owner.token, acme.organizationId);
    const members = await owner.members.list.query({ organizationId: acme.organizationId });
    await owner.members.remove.mutate({
      organizationId: acme.organizationId,
      memberId: members.find((m) => m.user.id === person.id)!.id,
    });
    await expectFamilyEnded(tokens);
    await addMember(origin(), acme.owner.token, acme.organizationId, person, 'member');
    await expectFamilyEnded(tokens);
  });

  it('the app deactivated (and reactivated), narrowed, or deleted', async () => {
    const owner = clientOf(origin(), acme.owner.token, acme.organizationId);
    const changing = await acme.createApp(APP_SCOPES, 'Changing', REDIRECT);
    const update = (changes: object) =>
      owner.oauthApps.update.mutate({ clientId: changing.clientId, ...changes });

    const deactivated = await tokensFor(memberCookie, changing);
    await update({ isActive: false });
    await update({ isActive: true });
    await expectFamilyEnded(deactivated);

    const wide = await tokensFor(memberCookie, changing, 'read:user read:members');
    const narrow = await tokensFor(memberCookie, changing, 'read:user');
    await update({ scopes: ['read:user', 'read:organization'] });
    await expectFamilyEnded(wide);
    expect((await meWith(narrow.access_token)).status).toBe(200);
    // The person still sees, and can end, what stays live: consent keeps what the app has.
    const listed = await api(origin(), 'GET', '/users/me/authorizations', { token: member.token });
    expect(listed.body).toContainEqual(
      expect.objectContaining({ clientId: changing.clientId, scopes: ['read:user'] }),
    );

    await owner.oauthApps.delete.mutate({ clientId: changing.clientId });
    expect((await meWith(narrow.access_token)).status).toBe(401);
  });

  it('revoking one access token from the app’s list ends only it', async () => {
    const tokens = await tokensFor();
    const list = await api(origin(), 'GET', `/oauth/apps/${app.clientId}/tokens`, {
      token: acme.owner.token,
    });
    const mine = list.body.filter((t: { userId: string | null }) => t.userId === member.id);
    expect(mine.length).toBeGreaterThan(0);
    const jti = JSON.parse(
      Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString(),
    ).jti;
    const revoked = await api(origin(), 'DELETE', `/oauth/token/${jti}`, {
      token: acme.owner.token,
    });
    expect(revoked.status).toBe(204);
    expect((await meWith(tokens.access_token)).status).toBe(401);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });
});

describe('GET and DELETE /api/users/me/authorizations', () => {
  it('lists what the person authorized, and revoking ends it all', async () => {
    const person = await signUp(origin());
    await addMember(origin(), acme.owner.token, acme.organizationId, person, 'member');
    const tokens = await tokensFor(await consoleCookie(origin(), person), app, 'read:user');
    const listed = await api(origin(), 'GET', '/users/me/authorizations', { token: person.token });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([
      {
        clientId: app.clientId,
        appName: 'Acme CRM',
        organization: { id: acme.organizationId, name: 'Test Org' },
        scopes: ['read:user'],
        authorizedAt: expect.any(String),
        lastUsedAt: expect.any(String),
      },
    ]);
    // A person's token with read:user may read the list too.
    const viaToken = await api(origin(), 'GET', '/users/me/authorizations', {
      token: tokens.access_token,
    });
    expect(viaToken.body).toHaveLength(1);

    const path = `/users/me/authorizations/${app.clientId}`;
    expect((await api(origin(), 'DELETE', path, { token: person.token })).status).toBe(204);
    await expectFamilyEnded(tokens);
    expect(
      (await api(origin(), 'GET', '/users/me/authorizations', { token: person.token })).body,
    ).toEqual([]);
    const again = await api(origin(), 'DELETE', path, { token: person.token });
    expect(again.status).toBe(404);
    expect(again.body.message).toBe('You have not authorized this app');
  });

  it('an app’s own token is no person', async () => {
    const token = (await grant(origin(), app, 'read:user')).body.access_token;
    const listed = await api(origin(), 'GET', '/users/me/authorizations', { token });
    expect(listed.status).toBe(403);
  });
});
