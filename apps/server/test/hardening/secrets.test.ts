import { describe, expect, it } from 'vitest';
import {
  accessToken,
  api,
  introspect,
  revoke,
  signUp,
  tenant,
  uniqueEmail,
  useTestServer,
} from '../harness/index.js';

/** Debug logging, so that even the chattiest lines are searched. */
const server = useTestServer({ env: { LOG_LEVEL: 'debug' } });

describe('secrets at rest and in the logs', () => {
  it('leaves no password, client secret, token or key in the logs or in a database dump', async () => {
    const origin = server().url;
    const secrets: string[] = [];

    const org = await tenant(origin);
    secrets.push(org.owner.password, org.owner.token);
    const app = await org.createApp();
    secrets.push(app.clientSecret);

    const rotated = await api(origin, 'POST', `/oauth/apps/${app.clientId}/secret`, {
      token: org.owner.token,
      body: { graceSeconds: 60 },
    });
    secrets.push(rotated.body.clientSecret);
    const current = { clientId: app.clientId, clientSecret: rotated.body.clientSecret };

    const token = await accessToken(origin, current);
    secrets.push(token);
    await introspect(origin, current, token);
    const json = await api(origin, 'POST', '/oauth/token', { body: current });
    secrets.push(json.body.access_token);
    await revoke(origin, current, token);

    const invitee = uniqueEmail();
    const invite = await api(
      origin,
      'POST',
      `/organizations/${org.organizationId}/members/invite`,
      {
        token: org.owner.token,
        body: { email: invitee, role: 'member' },
      },
    );
    secrets.push(invite.body.token);
    const member = await signUp(origin, invitee);
    secrets.push(member.password, member.token);
    await api(origin, 'POST', '/invites/accept', {
      token: member.token,
      body: { token: invite.body.token },
    });

    // Failures log more than successes: wrong secrets and passwords must not show up either.
    const wrongSecret = `cs_${'w'.repeat(43)}`;
    const wrongPassword = 'not-the-password-123';
    secrets.push(wrongSecret, wrongPassword);
    await api(origin, 'POST', '/oauth/token', {
      body: { clientId: app.clientId, clientSecret: wrongSecret },
    });
    await api(origin, 'POST', '/auth/login', {
      body: { email: org.owner.email, password: wrongPassword },
    });

    const { services } = server().server;
    secrets.push(server().database.keyEncryptionKey);
    const logs = server().logs();
    const dump = await server().dump();
    expect(logs).toContain('"reqId"'); // request logging is on
    expect(dump).toContain(app.clientId);

    for (const secret of secrets) {
      // A token is searched by its signature; a secret or password as a whole.
      const needle = secret.split('.').length === 3 ? secret.split('.')[2]! : secret;
      expect(logs, 'logs').not.toContain(needle);
      expect(dump, 'database dump').not.toContain(needle);
    }
    expect(logs).not.toContain('PRIVATE KEY');
    expect(dump).not.toContain('PRIVATE KEY');
    expect(services.keys.jwks().keys.every((key) => !('d' in key))).toBe(true);
  });
});

describe('query strings', () => {
  it('never reach the logs, whatever a client puts there', async () => {
    const origin = server().url;
    const app = await (await tenant(origin)).createApp();
    const marker = `leaked-${Date.now()}`;
    await fetch(`${origin}/api/oauth2/token?client_secret=${app.clientSecret}&x=${marker}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${app.clientId}&client_secret=${app.clientSecret}`,
    });
    await fetch(`${origin}/trpc/users.me?input=${encodeURIComponent(JSON.stringify({ marker }))}`);
    await fetch(`${origin}/api/users/me?token=${marker}`);
    const logs = server().logs();
    expect(logs).toContain('"path":"/api/oauth2/token"'); // the requests were logged...
    expect(logs).not.toContain(marker); // ...without their query strings
    expect(logs).not.toContain(app.clientSecret);
  });
});
