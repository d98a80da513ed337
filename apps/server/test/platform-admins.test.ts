import { describe, expect, it } from 'vitest';
import { grantPlatformAdmin } from '../src/commands/grant-platform-admin.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { api, signUp, startTestServer, uniqueEmail, useTestServer } from './harness/index.js';

const server = useTestServer();
const isPlatformAdmin = async (token: string, origin = server().url) =>
  (await api(origin, 'GET', '/users/me', { token })).body.isPlatformAdmin;

describe('platform administrators', () => {
  it('are marked by PLATFORM_ADMIN_EMAILS at every start, for accounts that already exist', async () => {
    const user = await signUp(server().url);
    expect(await isPlatformAdmin(user.token)).toBe(false);

    const restarted = await startTestServer({
      peerOf: server(),
      env: { PLATFORM_ADMIN_EMAILS: ` other@example.com , ${user.email.toUpperCase()} ` },
    });
    try {
      expect(await isPlatformAdmin(user.token, restarted.url)).toBe(true);
    } finally {
      await restarted.close();
    }
  });

  it('can be granted to an existing account by the grant-platform-admin command', async () => {
    const user = await signUp(server().url);
    const config = loadConfig({
      DATABASE_URL: server().database.url,
      KEY_ENCRYPTION_KEY: server().database.keyEncryptionKey,
    });
    const logger = createLogger('silent');
    await grantPlatformAdmin(config, logger, user.email);
    expect(await isPlatformAdmin(user.token)).toBe(true);

    await expect(grantPlatformAdmin(config, logger, uniqueEmail())).rejects.toThrow(/No account/);
  });
});
