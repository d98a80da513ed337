import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  api,
  type Client,
  grant,
  introspect,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';

/**
 * Finding: deactivating an app, or removing a scope, only paused its tokens. Deactivate,
 * rotate the leaked secret with no grace, reactivate (the usual answer to a leak): every token
 * minted before came back to life; granting a removed scope again revived the tokens that
 * carried it. Now a token, once stopped, stays stopped, whatever happens to its app later.
 */
const server = useTestServer();
const origin = () => server().url;
let org: Tenant;
let resourceServer: Client;

beforeAll(async () => {
  org = await tenant(origin());
  resourceServer = await org.createApp(['read:user']);
});

const change = (app: Client, body: unknown) =>
  api(origin(), 'PATCH', `/oauth/apps/${app.clientId}`, { token: org.owner.token, body });
const rotate = async (app: Client, graceSeconds: number): Promise<Client> => {
  const rotated = await api(origin(), 'POST', `/oauth/apps/${app.clientId}/secret`, {
    token: org.owner.token,
    body: { graceSeconds },
  });
  expect(rotated.status).toBe(201);
  return { clientId: app.clientId, clientSecret: rotated.body.clientSecret };
};
const active = async (token: string) =>
  (await introspect(origin(), resourceServer, token)).body.active as boolean;
const listed = async (app: Client) =>
  (
    await api(origin(), 'GET', `/oauth/apps/${app.clientId}/tokens`, { token: org.owner.token })
  ).body.map((token: { id: string }) => token.id) as string[];
const jtiOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;

describe('tokens stopped by a change to their app stay stopped', () => {
  it('survive no deactivate, rotate with no grace, reactivate', async () => {
    const app = await org.createApp();
    const leaked = await accessToken(origin(), app);
    expect(await active(leaked)).toBe(true);

    expect((await change(app, { isActive: false })).status).toBe(200);
    const fresh = await rotate(app, 0);
    expect((await change(app, { isActive: true })).status).toBe(200);

    expect(await active(leaked)).toBe(false);
    expect(await listed(app)).not.toContain(jtiOf(leaked));
    // The app itself works again, with its new secret only.
    const next = await accessToken(origin(), fresh);
    expect(await active(next)).toBe(true);
    expect((await grant(origin(), app)).status).toBe(401);
  });

  it('stay stopped when a removed scope is granted again', async () => {
    const app = await org.createApp(['read:organization', 'read:members']);
    const broad = await accessToken(origin(), app, 'read:organization read:members');
    const narrow = await accessToken(origin(), app, 'read:organization');

    await change(app, { scopes: ['read:organization'] });
    await change(app, { scopes: ['read:organization', 'read:members'] });

    expect(await active(broad)).toBe(false);
    expect(await listed(app)).toEqual([jtiOf(narrow)]);
    expect(await active(narrow)).toBe(true);
  });

  it('die with the secret that granted them: at once with no grace', async () => {
    const app = await org.createApp();
    const before = await accessToken(origin(), app);
    const fresh = await rotate(app, 0);
    const after = await accessToken(origin(), fresh);

    expect(await active(before)).toBe(false);
    expect(await active(after)).toBe(true);
    expect(await listed(app)).toEqual([jtiOf(after)]);
  });

  it('die with the secret that granted them: when its grace period ends', async () => {
    const app = await org.createApp();
    const before = await accessToken(origin(), app);
    await rotate(app, 1);
    expect(await active(before)).toBe(true);
    await sleep(1_500);
    expect(await active(before)).toBe(false);
    expect(await listed(app)).toEqual([]);
  });

  it('are never issued by a grant that races a deactivation', async () => {
    const app = await org.createApp();
    const [deactivated, ...grants] = await Promise.all([
      change(app, { isActive: false }),
      ...Array.from({ length: 20 }, () => grant(origin(), app)),
    ]);
    expect(deactivated.status).toBe(200);
    await change(app, { isActive: true });
    const issued = grants.filter((g) => g.status === 200).map((g) => g.body.access_token);
    expect(grants.every((g) => g.status === 200 || g.status === 401)).toBe(true);
    for (const token of issued) expect(await active(token)).toBe(false);
  });
});
