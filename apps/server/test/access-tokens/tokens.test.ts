import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  api,
  introspect,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';

const server = useTestServer();
const origin = () => server().url;
let acme: Tenant;

beforeAll(async () => {
  acme = await tenant(origin());
});

const asOwner = (method: string, path: string, body?: unknown) =>
  api(origin(), method, path, { token: acme.owner.token, body });

describe('tokens of an app', () => {
  it('lists live tokens with their last introspection, and revokes one by id', async () => {
    const app = await acme.createApp();
    const token = await accessToken(origin(), app, 'read:members');
    const other = await accessToken(origin(), app);
    const path = `/oauth/apps/${app.clientId}/tokens`;

    const before = await asOwner('GET', path);
    expect(before.status).toBe(200);
    expect(before.body).toHaveLength(2);
    const entry = before.body.find((t: { scopes: string[] }) => t.scopes.length === 1);
    expect(entry).toEqual({
      id: expect.stringMatching(/^token_/),
      userId: null,
      scopes: ['read:members'],
      expiresAt: expect.any(String),
      createdAt: expect.any(String),
      lastUsedAt: null,
    });

    await introspect(origin(), app, token);
    const used = (await asOwner('GET', path)).body.find((t: { id: string }) => t.id === entry.id);
    expect(used.lastUsedAt).toEqual(expect.any(String));

    const revoked = await asOwner('DELETE', `/oauth/token/${entry.id}`);
    expect(revoked.status).toBe(204);
    expect((await introspect(origin(), app, token)).body).toEqual({ active: false });
    expect((await introspect(origin(), app, other)).body.active).toBe(true);
    expect((await asOwner('GET', path)).body).toHaveLength(1);
  });
});
