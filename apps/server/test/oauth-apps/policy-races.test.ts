import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  accessToken,
  addMember,
  api,
  introspect,
  signUp,
  tenant,
  useTestServer,
} from '../harness/index.js';

/**
 * The policy on an app's changes is judged on the app as its row lock finds it: an admin's
 * change held up behind a platform administrator's widening of the app sees the widened app.
 */
const server = useTestServer();

/** Holds app `clientId`'s row, runs `request`, and widens the app to `admin:all` meanwhile. */
async function widenedWhile(clientId: string, write: string, request: () => Promise<unknown>) {
  const lock = new pg.Client({ connectionString: server().database.url });
  await lock.connect();
  try {
    await lock.query('begin');
    await lock.query('select 1 from oauth_apps where client_id = $1 for update', [clientId]);
    const answer = request();
    const waits = `select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like $1`;
    await expect.poll(async () => (await server().sql(waits, [`%${write}%`])).length).toBe(1);
    await lock.query(
      "update oauth_apps set scopes = array_append(scopes, 'admin:all') where client_id = $1",
      [clientId],
    );
    await lock.query('commit');
    return answer;
  } finally {
    await lock.end();
  }
}

describe('an admin’s change racing a platform administrator’s', () => {
  it.each([
    ['rotating the secret', 'secret', {}],
    ['switching it back on', '', { isActive: true }],
  ] as const)('%s is judged on the widened app', async (_, suffix, body) => {
    const org = await tenant(server().url);
    const admin = await signUp(server().url);
    await addMember(server().url, org.owner.token, org.organizationId, admin, 'admin');
    const app = await org.createApp(['read:user']);
    if ('isActive' in body) {
      await api(server().url, 'PATCH', `/oauth/apps/${app.clientId}`, {
        token: admin.token,
        body: { isActive: false },
      });
    }
    const method = suffix ? 'POST' : 'PATCH';
    const path = `/oauth/apps/${app.clientId}${suffix ? `/${suffix}` : ''}`;
    const answer = (await widenedWhile(app.clientId, 'oauth_apps', () =>
      api(server().url, method, path, { token: admin.token, body }),
    )) as { status: number; body: { message: string } };
    expect(answer.status).toBe(403);
    expect(answer.body.message).toMatch(/Only platform administrators/);
    const [row] = await server().sql<{ n: number; active: boolean }>(
      `select (select count(*)::int from oauth_client_secrets s where s.app_id = a.id) as n,
              a.is_active as active
         from oauth_apps a where a.client_id = $1`,
      [app.clientId],
    );
    // No second secret, and the app stays off: nothing of its power changed hands.
    expect(row).toEqual({ n: 1, active: !('isActive' in body) });
  });
});

describe('an admin removed while taking something away', () => {
  /** Removes `admin` inside a transaction that holds their membership while `request` waits. */
  async function removedWhile(admin: { id: string }, request: () => Promise<ApiResponse>) {
    const lock = new pg.Client({ connectionString: server().database.url });
    await lock.connect();
    try {
      await lock.query('begin');
      await lock.query('select 1 from memberships where user_id = $1 for update', [admin.id]);
      const answer = request();
      const waits = `select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%for share%'`;
      await expect.poll(async () => (await server().sql(waits)).length).toBe(1);
      await lock.query('delete from memberships where user_id = $1', [admin.id]);
      await lock.query('commit');
      return await answer;
    } finally {
      await lock.end();
    }
  }

  it('deletes no app, cancels no invitation and revokes no token after the removal', async () => {
    const org = await tenant(server().url);
    const admin = await signUp(server().url);
    await addMember(server().url, org.owner.token, org.organizationId, admin, 'admin');
    const app = await org.createApp(['read:user']);
    const token = await accessToken(server().url, app);
    const tokenId = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti;
    const invitation = await api(
      server().url,
      'POST',
      `/organizations/${org.organizationId}/members/invite`,
      { token: org.owner.token, body: { email: 'later@example.com', role: 'member' } },
    );

    const attempts: [string, string][] = [
      ['DELETE', `/oauth/apps/${app.clientId}`],
      ['DELETE', `/organizations/${org.organizationId}/invitations/${invitation.body.id}`],
      ['DELETE', `/oauth/token/${tokenId}`],
    ];
    for (const [method, path] of attempts) {
      // Each round removes the admin anew (added back in between).
      if (
        (await server().sql('select 1 from memberships where user_id = $1', [admin.id])).length ===
        0
      ) {
        await addMember(server().url, org.owner.token, org.organizationId, admin, 'admin');
      }
      const answer = await removedWhile(admin, () =>
        api(server().url, method, path, { token: admin.token }),
      );
      expect(answer.status, path).toBe(403);
    }
    // All still there: the app, its live token, the invitation.
    expect((await introspect(server().url, app, token)).body.active).toBe(true);
    const pending = await api(
      server().url,
      'GET',
      `/organizations/${org.organizationId}/invitations`,
      {
        token: org.owner.token,
      },
    );
    expect(pending.body.map((i: { id: string }) => i.id)).toContain(invitation.body.id);
  });
});
