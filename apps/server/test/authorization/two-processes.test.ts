import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  accessToken,
  addMember,
  api,
  buildServer,
  revoke,
  type ServerProcess,
  signUp,
  startPeerProcess,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';

/**
 * Sessions, memberships and tokens are rows, read on every request: what one process of a
 * deployment ends (A, in the test) is over at once on the other (B, the built server).
 */
const a = useTestServer();
let b: ServerProcess;
let acme: Tenant;

beforeAll(async () => {
  buildServer();
  b = await startPeerProcess(a(), { RATE_LIMITS: 'off' });
  acme = await tenant(a().url);
}, 240_000);

afterAll(async () => {
  await b?.stop();
});

const onB = (method: string, path: string, token: string) => api(b.url, method, path, { token });

function expectInvalidToken(response: ApiResponse) {
  expect(response.status).toBe(401);
  expect(response.body.code).toBe('UNAUTHORIZED');
  expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
}

/** Used on B twice first, so that anything B might keep would be warm. */
async function warmOnB(method: string, path: string, token: string) {
  expect((await onB(method, path, token)).status).toBe(200);
  expect((await onB(method, path, token)).status).toBe(200);
}

describe('two processes of one deployment', () => {
  it('a sign-out on A ends that session on B at once, and only that one', async () => {
    const person = await signUp(a().url);
    const other = await api(a().url, 'POST', '/auth/login', {
      body: { email: person.email, password: person.password },
    });
    await warmOnB('GET', '/users/me', person.token);
    await warmOnB('GET', '/users/me', other.body.accessToken);

    expect((await api(a().url, 'POST', '/auth/logout', { token: person.token })).status).toBe(204);
    expectInvalidToken(await onB('GET', '/users/me', person.token));
    expect((await onB('GET', '/users/me', other.body.accessToken)).status).toBe(200);

    const all = await api(a().url, 'POST', '/auth/logout-all', { token: other.body.accessToken });
    expect(all.status).toBe(204);
    expectInvalidToken(await onB('GET', '/users/me', other.body.accessToken));
  });

  it('a password change on A ends the other sessions on B at once', async () => {
    const person = await signUp(a().url);
    const other = (
      await api(a().url, 'POST', '/auth/login', {
        body: { email: person.email, password: person.password },
      })
    ).body.accessToken;
    await warmOnB('GET', '/users/me', other);
    const changed = await api(a().url, 'PATCH', '/users/me', {
      token: person.token,
      body: { currentPassword: person.password, newPassword: 'another-password-42' },
    });
    expect(changed.status).toBe(200);
    expectInvalidToken(await onB('GET', '/users/me', other));
    expect((await onB('GET', '/users/me', person.token)).status).toBe(200);
  });

  it('a token revoked on A is refused on B at once', async () => {
    const app = await acme.createApp(['read:organization']);
    const token = await accessToken(b.url, app);
    await warmOnB('GET', `/organizations/${acme.organizationId}`, token);
    expect((await revoke(a().url, app, token)).status).toBe(200);
    expectInvalidToken(await onB('GET', `/organizations/${acme.organizationId}`, token));
  });

  it('an organization deleted on A ends its apps’ tokens on B at once', async () => {
    const doomed = await tenant(a().url);
    const app = await doomed.createApp(['read:organization', 'read:members']);
    const token = await accessToken(b.url, app);
    await warmOnB('GET', `/organizations/${doomed.organizationId}`, token);
    await warmOnB('GET', `/organizations/${doomed.organizationId}`, doomed.owner.token);

    const deleted = await api(a().url, 'DELETE', `/organizations/${doomed.organizationId}`, {
      token: doomed.owner.token,
    });
    expect(deleted.status).toBe(204);
    expectInvalidToken(await onB('GET', `/organizations/${doomed.organizationId}`, token));
    expectInvalidToken(await onB('GET', `/organizations/${doomed.organizationId}/members`, token));
    // Its owner is still signed in, but belongs to it no more.
    const owner = await onB('GET', `/organizations/${doomed.organizationId}`, doomed.owner.token);
    expect(owner.status).toBe(403);
    expect(owner.body.message).toBe('You are not a member of this organization');
  });

  it('a member removed on A is refused on B at once', async () => {
    const member = await signUp(a().url);
    await addMember(a().url, acme.owner.token, acme.organizationId, member, 'admin');
    await warmOnB('GET', `/organizations/${acme.organizationId}/members`, member.token);
    const members = await api(a().url, 'GET', `/organizations/${acme.organizationId}/members`, {
      token: acme.owner.token,
    });
    const memberId = members.body.find((m: any) => m.user.id === member.id).id;

    const removed = await api(
      a().url,
      'DELETE',
      `/organizations/${acme.organizationId}/members/${memberId}`,
      { token: acme.owner.token },
    );
    expect(removed.status).toBe(204);
    for (const path of [
      `/organizations/${acme.organizationId}`,
      `/organizations/${acme.organizationId}/members`,
    ]) {
      const response = await onB('GET', path, member.token);
      expect([path, response.status]).toEqual([path, 403]);
      expect(response.body.message).toBe('You are not a member of this organization');
    }
    // Still signed in: only the membership ended.
    expect((await onB('GET', '/users/me', member.token)).body.organizations).toEqual([]);
  });
});
