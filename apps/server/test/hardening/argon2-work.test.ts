import { hash } from '@node-rs/argon2';
import { ARGON2_OPTIONS } from '@timbrix/api';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  type Client,
  grant,
  requestFrom,
  signUp,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';

/**
 * The argon2 work each failed attempt costs, counted by the server's hasher rather than timed:
 * the same for an unknown account or client as for a wrong password or secret (no oracle for
 * what exists), the same for an app with one valid secret as with two (finding: an app in a
 * rotation grace period cost two verifications per wrong secret, and timing told), and none at
 * all for a value that cannot be a secret.
 */
const server = useTestServer({
  env: { RATE_LIMITS: 'on', RATE_LIMIT_AUTH_FAILURES_PER_CLIENT_IP: '3' },
});
let org: Tenant;
let app: Client;

beforeAll(async () => {
  org = await tenant(server().url);
  app = await org.createApp();
});

/** The argon2 verifications and hashes that `work` made the server do. */
async function workOf(work: () => Promise<unknown>) {
  const counter = server().server.services.hasher.work;
  const before = { ...counter };
  await work();
  return {
    verifications: counter.verifications - before.verifications,
    hashes: counter.hashes - before.hashes,
  };
}

/** A well-formed secret that is nobody's. */
const someoneElsesSecret = async () =>
  (await (await tenant(server().url)).createApp()).clientSecret;

describe('a failed sign-in', () => {
  it('costs one verification whether or not the account exists', async () => {
    const user = await signUp(server().url);
    const login = (email: string) =>
      api(server().url, 'POST', '/auth/login', { body: { email, password: 'wrong-password' } });
    expect(await workOf(() => login(user.email))).toEqual({ verifications: 1, hashes: 0 });
    expect(await workOf(() => login('nobody-at-all@example.com'))).toEqual({
      verifications: 1,
      hashes: 0,
    });
  });
});

describe('a failed client authentication', () => {
  it('costs one verification for a wrong secret, an unknown client and a malformed client id', async () => {
    const wrong = await someoneElsesSecret();
    const attempts: Client[] = [
      { clientId: app.clientId, clientSecret: wrong },
      { clientId: 'app_0000000000000000', clientSecret: wrong },
      { clientId: 'not-a-client-id', clientSecret: wrong },
    ];
    for (const attempt of attempts) {
      const response = { status: 0 };
      const work = await workOf(async () => {
        response.status = (await grant(server().url, attempt)).status;
      });
      expect(response.status).toBe(401);
      expect(work).toEqual({ verifications: 1, hashes: 0 });
    }
  });

  it('costs one verification for an app in a rotation grace period, as for any other', async () => {
    const rotating = await org.createApp();
    const rotated = await api(server().url, 'POST', `/oauth/apps/${rotating.clientId}/secret`, {
      token: org.owner.token,
      body: { graceSeconds: 3600 },
    });
    expect(rotated.status).toBe(201);
    const wrong = await someoneElsesSecret();
    expect(
      await workOf(() => grant(server().url, { clientId: rotating.clientId, clientSecret: wrong })),
    ).toEqual({ verifications: 1, hashes: 0 });
    // Both secrets still work, each for one verification at most.
    for (const clientSecret of [rotating.clientSecret, rotated.body.clientSecret]) {
      expect((await grant(server().url, { ...rotating, clientSecret })).status).toBe(200);
    }
  });

  it('costs nothing for a secret whose checksum is wrong, yet counts as a failure', async () => {
    const flipped = `${app.clientSecret.slice(0, 10)}${app.clientSecret[10] === 'a' ? 'b' : 'a'}${app.clientSecret.slice(11)}`;
    const from = (clientSecret: string) =>
      requestFrom('127.0.4.1', `${server().url}/api/oauth2/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${app.clientId}:${clientSecret}`).toString('base64')}`,
        },
        body: 'grant_type=client_credentials',
      });
    for (let i = 0; i < 3; i++) {
      const response = { status: 0 };
      const work = await workOf(async () => {
        response.status = (await from(flipped)).status;
      });
      expect(response.status).toBe(401);
      expect(work).toEqual({ verifications: 0, hashes: 0 });
    }
    // Three failures from this address: even the right secret waits now.
    expect((await from(app.clientSecret)).status).toBe(429);
  });
});

describe('secrets issued before the checksummed format', () => {
  it('keep working', async () => {
    const legacyApp = await org.createApp();
    const legacy = `cs_${Buffer.alloc(32, 7).toString('base64url')}`;
    await server().sql(
      `update oauth_client_secrets set secret_hash = $1, hint = $2
        where app_id = (select id from oauth_apps where client_id = $3)`,
      [await hash(legacy, ARGON2_OPTIONS), legacy.slice(-4), legacyApp.clientId],
    );
    expect((await grant(server().url, { ...legacyApp, clientSecret: legacy })).status).toBe(200);
  });
});
