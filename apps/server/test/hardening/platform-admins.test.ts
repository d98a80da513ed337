import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { createLogger, loadConfig } from '@timbrix/api';
import { describe, expect, it } from 'vitest';
import { setPlatformAdmin } from '../../src/commands/platform-admin.js';
import {
  api,
  buildServer,
  createOrganization,
  platformAdminCommand,
  signUp,
  startTestServer,
  uniqueEmail,
  useTestServer,
} from '../harness/index.js';

/**
 * Finding: whoever registered an address listed in PLATFORM_ADMIN_EMAILS first became a
 * platform administrator, and could mint admin:all tokens. Registration proves nothing about
 * owning an address; only a command run on the server grants the status now.
 */
const server = useTestServer();
const origin = () => server().url;

const isPlatformAdmin = async (token: string) =>
  (await api(origin(), 'GET', '/users/me', { token })).body.isPlatformAdmin;

async function createAdminAllApp(token: string, organizationId: string) {
  return api(origin(), 'POST', '/oauth/apps', {
    token,
    body: { name: 'Everything', scopes: ['admin:all'] },
    headers: { 'X-Organization-Id': organizationId },
  });
}

describe('platform administrators', () => {
  it('are never made by registering an address: PLATFORM_ADMIN_EMAILS stops the start', async () => {
    const email = uniqueEmail('would-be-admin');
    await expect(
      startTestServer({ peerOf: server(), env: { PLATFORM_ADMIN_EMAILS: email } }),
    ).rejects.toThrow(/PLATFORM_ADMIN_EMAILS: was removed.*grant-platform-admin/);

    // Whoever registers the address gets an ordinary account that cannot grant admin:all.
    const squatter = await signUp(origin(), email);
    expect(await isPlatformAdmin(squatter.token)).toBe(false);
    const { id } = await createOrganization(origin(), squatter.token);
    expect((await createAdminAllApp(squatter.token, id)).status).toBe(403);
  });

  it('are granted to an existing account by grant-platform-admin, and only to one', async () => {
    const user = await signUp(origin());
    await platformAdminCommand(server(), user.email.toUpperCase());
    expect(await isPlatformAdmin(user.token)).toBe(true);
    const { id } = await createOrganization(origin(), user.token);
    expect((await createAdminAllApp(user.token, id)).status).toBe(201);

    await expect(platformAdminCommand(server(), uniqueEmail())).rejects.toThrow(/No account/);
  });

  it('lose the status with revoke-platform-admin at once, and hear which apps stay active', async () => {
    const user = await signUp(origin());
    await platformAdminCommand(server(), user.email);
    const { id } = await createOrganization(origin(), user.token);
    const app = await createAdminAllApp(user.token, id);

    const lines: string[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const config = loadConfig({
      DATABASE_URL: server().database.url,
      KEY_ENCRYPTION_KEY: server().database.keyEncryptionKey,
    });
    await setPlatformAdmin(config, logger, user.email, false);

    expect(await isPlatformAdmin(user.token)).toBe(false);
    // The same session token can no longer grant admin:all or hand out a new secret for it.
    expect((await createAdminAllApp(user.token, id)).status).toBe(403);
    const rotate = await api(origin(), 'POST', `/oauth/apps/${app.body.clientId}/secret`, {
      token: user.token,
      body: {},
    });
    expect(rotate.status).toBe(403);
    expect(lines.join('')).toContain(app.body.clientId);
    expect(lines.join('')).toContain('stay active');
  });

  it('are granted and revoked by the built commands the README names', async () => {
    const user = await signUp(origin());
    buildServer();
    const run = (command: string) =>
      spawnSync(process.execPath, ['dist/main.js', command, user.email], {
        cwd: new URL('../..', import.meta.url).pathname,
        env: {
          ...process.env,
          DATABASE_URL: server().database.url,
          KEY_ENCRYPTION_KEY: server().database.keyEncryptionKey,
        },
        encoding: 'utf8',
      });
    expect(run('grant-platform-admin').status).toBe(0);
    expect(await isPlatformAdmin(user.token)).toBe(true);
    expect(run('revoke-platform-admin').status).toBe(0);
    expect(await isPlatformAdmin(user.token)).toBe(false);
  });
});
