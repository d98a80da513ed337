import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { accessToken, api, introspect, tenant, useTestServer } from '../harness/index.js';

/**
 * An expired access token is inactive and unlisted, by each of the two things that know its
 * expiry: its row, and the JWT's own `exp`. Either alone must be enough.
 */
const server = useTestServer({ env: { ACCESS_TOKEN_TTL_SECONDS: '2' } });

const jtiOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;

async function setup() {
  const org = await tenant(server().url);
  const app = await org.createApp();
  const resourceServer = await org.createApp();
  const token = await accessToken(server().url, app);
  const listed = async () =>
    (
      await api(server().url, 'GET', `/oauth/apps/${app.clientId}/tokens`, {
        token: org.owner.token,
      })
    ).body.map((entry: { id: string }) => entry.id);
  const active = async () =>
    (await introspect(server().url, resourceServer, token)).body.active as boolean;
  const setRowExpiry = (interval: string) =>
    server().sql(`update oauth_access_tokens set expires_at = now() + $1::interval where id = $2`, [
      interval,
      jtiOf(token),
    ]);
  return { token, listed, active, setRowExpiry };
}

describe('expired access tokens', () => {
  it('are inactive and unlisted once their row has expired, though the JWT still looks valid', async () => {
    const { token, listed, active, setRowExpiry } = await setup();
    expect(await active()).toBe(true);
    expect(await listed()).toEqual([jtiOf(token)]);
    await setRowExpiry('-1 second');
    expect(await active()).toBe(false);
    expect(await listed()).toEqual([]);
  });

  it('are inactive once the JWT has expired, though the row says otherwise', async () => {
    const { active, setRowExpiry } = await setup();
    await setRowExpiry('1 hour');
    await sleep(3_100);
    expect(await active()).toBe(false);
  });
});
