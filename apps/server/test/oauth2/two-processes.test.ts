import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  api,
  type Client,
  grant,
  introspect,
  revoke,
  type ServerProcess,
  startPeerProcess,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';

/** Process A runs in the test; process B is the built server, on the same database. */
const a = useTestServer();
let b: ServerProcess;
let acme: Tenant;

beforeAll(async () => {
  b = await startPeerProcess(a());
  acme = await tenant(a().url);
}, 60_000);

afterAll(async () => {
  await b?.stop();
});

const asOwner = (method: string, path: string, body?: unknown) =>
  api(a().url, method, path, { token: acme.owner.token, body });

/** Makes B verify the secret once, so that its cache holds it. */
async function warm(app: Client) {
  expect((await grant(b.url, app)).status).toBe(200);
  expect((await grant(b.url, app)).status).toBe(200);
}

describe('two server processes on one database', () => {
  it('share sessions, apps and tokens', async () => {
    const app = await acme.createApp();
    const token = await accessToken(b.url, app);
    expect((await introspect(a().url, app, token)).body.active).toBe(true);
    expect((await api(b.url, 'GET', '/users/me', { token: acme.owner.token })).status).toBe(200);
  });

  it('refuse a deactivated app at once in the other process', async () => {
    const app = await acme.createApp();
    await warm(app);
    const token = await accessToken(b.url, app);
    await asOwner('PATCH', `/oauth/apps/${app.clientId}`, { isActive: false });
    expect((await grant(b.url, app)).status).toBe(401);
    expect((await introspect(b.url, await acme.createApp(), token)).body).toEqual({
      active: false,
    });
  });

  it('refuse a secret rotated out through the other process at once', async () => {
    const app = await acme.createApp();
    await warm(app);
    const rotated = await asOwner('POST', `/oauth/apps/${app.clientId}/secret`, {
      graceSeconds: 0,
    });
    expect(rotated.status).toBe(201);
    expect((await grant(b.url, app)).status).toBe(401);
    expect(
      (await grant(b.url, { clientId: app.clientId, clientSecret: rotated.body.clientSecret }))
        .status,
    ).toBe(200);
  });

  it('refuse a deleted app and its tokens at once', async () => {
    const app = await acme.createApp();
    const resourceServer = await acme.createApp();
    await warm(app);
    const token = await accessToken(b.url, app);
    await asOwner('DELETE', `/oauth/apps/${app.clientId}`);
    expect((await grant(b.url, app)).status).toBe(401);
    expect((await introspect(b.url, resourceServer, token)).body).toEqual({ active: false });
  });

  it('refuse a token revoked through the other process', async () => {
    const app = await acme.createApp();
    const token = await accessToken(a().url, app);
    expect((await introspect(b.url, app, token)).body.active).toBe(true);
    expect((await revoke(a().url, app, token)).status).toBe(200);
    expect((await introspect(b.url, app, token)).body).toEqual({ active: false });
  });
});
