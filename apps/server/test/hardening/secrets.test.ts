import { describe, expect, it } from 'vitest';
import {
  accessToken,
  addMember,
  api,
  authorizeRequest,
  consentHandle,
  consoleCookie,
  consoleMutation,
  formPost,
  introspect,
  pkce,
  requestOf,
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

describe('people’s authorizations', () => {
  it('leave no code, refresh token, consent value or request handle in the logs or a dump', async () => {
    const origin = server().url;
    const org = await tenant(origin);
    const redirect = 'https://app.example.com/callback';
    const app = await org.createApp(['read:user'], 'Secretive', redirect);
    const person = await signUp(origin);
    await addMember(origin, org.owner.token, org.organizationId, person, 'member');
    const cookie = await consoleCookie(origin, person);
    const proof = pkce();

    // The console page is loaded as a browser would (its path carries the handle).
    const first = await authorizeRequest(origin, requestOf(app, redirect, proof));
    const requestId = consentHandle(first.location);
    await fetch(`${origin}/authorize/${requestId}`);
    const opened = await consoleMutation(origin, 'authorizations.open', cookie, { requestId });
    const { decisionToken } = opened.data;
    const decided = await consoleMutation(origin, 'authorizations.decide', cookie, {
      requestId,
      decisionToken,
      approve: true,
    });
    const code = new URL(decided.data.redirectTo).searchParams.get('code')!;
    const exchange = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect,
      code_verifier: proof.verifier,
    };
    const tokens = (await formPost(origin, '/oauth2/token', exchange, app)).body;
    const refreshed = (
      await formPost(
        origin,
        '/oauth2/token',
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        app,
      )
    ).body;
    // Reuse, logged as a security event: by ids only.
    await formPost(origin, '/oauth2/token', exchange, app);
    await formPost(
      origin,
      '/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      app,
    );

    const logs = server().logs();
    const dump = await server().dump();
    expect(logs).toContain('"path":"/authorize/:requestId"');
    expect(logs).toContain('refresh_token.reuse_detected');
    const secrets = [
      requestId,
      decisionToken,
      code,
      proof.verifier,
      tokens.refresh_token,
      refreshed.refresh_token,
      tokens.access_token.split('.')[2],
      refreshed.access_token.split('.')[2],
    ];
    for (const secret of secrets) {
      expect(logs, 'logs').not.toContain(secret);
      expect(dump, 'database dump').not.toContain(secret);
    }
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
