import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  answerOf,
  api,
  authorizationUrl,
  authorizeAs,
  authorizeRequest,
  type Client,
  clientOf,
  consentHandle,
  consoleCookie,
  consoleMutation,
  expectInvalidGrant,
  formPost,
  type Pkce,
  pkce,
  requestOf,
  signUp,
  startTestServer,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';

/**
 * The authorization code grant over real HTTP: the authorization endpoint's every refusal,
 * the console's consent calls, and the code's exchange (RFC 6749 section 4.1, RFC 7636,
 * RFC 9207).
 */
const server = useTestServer();
const origin = () => server().url;
const issuer = () => server().server.services.config.issuerUrl;

const REDIRECT = 'https://app.example.com/callback?from=timbrix';
let acme: Tenant;
let app: Client;
let otherApp: Client;
let ownerCookie: string;

beforeAll(async () => {
  acme = await tenant(origin());
  [app, otherApp] = await Promise.all([
    acme.createApp(['read:user', 'read:organization', 'read:members'], 'Acme CRM', REDIRECT),
    acme.createApp(['read:user'], 'Other', 'https://other.example.com/cb'),
  ]);
  ownerCookie = await consoleCookie(origin(), acme.owner);
});

/** Approves a fresh request of `client` as the owner: the code, its verifier and its state. */
async function codeFor(client = app, redirectUri = REDIRECT, extra = {}) {
  const proof = pkce();
  const request = requestOf(client, redirectUri, proof, { prompt: 'consent', ...extra });
  const answer = await authorizeAs(origin(), ownerCookie, request);
  expect(answer.code).toMatch(/^code_[0-9A-Za-z]{49}$/);
  return { code: answer.code!, proof, state: request.state };
}

const exchange = (
  client: Client,
  code: string,
  proof: Pkce | { verifier?: string },
  redirectUri = REDIRECT,
) =>
  formPost(
    origin(),
    '/oauth2/token',
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      ...(proof.verifier ? { code_verifier: proof.verifier } : {}),
    },
    client,
  );

describe('GET /api/oauth/authorize: requests that are never sent back', () => {
  const refused = async (params: Record<string, string>, message: RegExp) => {
    const answer = await authorizeRequest(origin(), params, ownerCookie);
    expect(answer.status).toBe(400);
    expect(answer.location).toBeNull();
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.text).toMatch(message);
    return answer;
  };

  it('a redirect URI other than the registered one shows a page, never a redirect', async () => {
    const proof = pkce();
    for (const other of [
      'https://evil.example.com/callback',
      'https://app.example.com/callback', // the registered one without its query
      `${REDIRECT}&x=1`,
      'https://APP.example.com/callback?from=timbrix',
    ]) {
      await refused(
        { ...requestOf(app, other, proof) },
        /redirect_uri is not the one registered for this app/,
      );
    }
  });

  it('an unknown, inactive or redirect-less client shows a page', async () => {
    const proof = pkce();
    await refused(
      { ...requestOf({ clientId: 'app_0000000000000000', clientSecret: '' }, REDIRECT, proof) },
      /unknown or no longer active/,
    );
    const inactive = await acme.createApp(['read:user'], 'Off', REDIRECT);
    await clientOf(origin(), acme.owner.token, acme.organizationId).oauthApps.update.mutate({
      clientId: inactive.clientId,
      isActive: false,
    });
    await refused({ ...requestOf(inactive, REDIRECT, proof) }, /unknown or no longer active/);
    const bare = await acme.createApp(['read:user'], 'Bare');
    await refused({ ...requestOf(bare, REDIRECT, proof) }, /no redirect URI registered/);
    await refused({ client_id: app.clientId }, /redirect_uri is required/);
    await refused({ redirect_uri: REDIRECT }, /client_id is required/);
  });

  it('a repeated client_id or redirect_uri shows a page', async () => {
    const url = `${authorizationUrl(origin(), requestOf(app, REDIRECT, pkce()))}&client_id=${app.clientId}`;
    const answer = await authorizeRequest(origin(), url, ownerCookie);
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/client_id must be sent once/);
  });

  it('escapes what it repeats and cannot be framed', async () => {
    const answer = await authorizeRequest(origin(), { client_id: '<script>x</script>' });
    expect(answer.text).not.toContain('<script>x');
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    expect(answer.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});

describe('GET /api/oauth/authorize: errors sent back to the app', () => {
  const sentBack = async (extra: Record<string, string | undefined>) => {
    const request = { ...requestOf(app, REDIRECT, pkce()), ...extra };
    const answer = await authorizeRequest(origin(), request, ownerCookie);
    expect(answer.status).toBe(302);
    expect(answer.location?.startsWith('https://app.example.com/callback?from=timbrix&')).toBe(
      true,
    );
    const back = answerOf(answer.location);
    expect(back.state).toBe(request.state);
    expect(back.iss).toBe(issuer());
    expect(back.code).toBeUndefined();
    return back;
  };

  it.each([
    [{ code_challenge_method: 'plain' }, 'invalid_request', /must be S256, not plain/],
    [{ code_challenge_method: undefined }, 'invalid_request', /PKCE is required/],
    [{ code_challenge: undefined }, 'invalid_request', /PKCE is required/],
    [{ code_challenge: 'short' }, 'invalid_request', /code_challenge must be/],
    [{ response_type: 'token' }, 'unsupported_response_type', /Only response_type=code/],
    [{ response_type: undefined }, 'invalid_request', /response_type is required/],
    [{ scope: 'read:user write:members' }, 'invalid_scope', /may not request: write:members/],
    [{ scope: 'read:user launch:rockets' }, 'invalid_scope', /Unknown scope: launch:rockets/],
    [{ prompt: 'login' }, 'invalid_request', /prompt may be consent or none/],
  ])('%j answers %s', async (extra, error, description) => {
    const back = await sentBack(extra);
    expect(back.error).toBe(error);
    expect(back.error_description).toMatch(description);
  });

  it('prompt=none never asks: login_required, consent_required, or a code', async () => {
    const person = await signUp(origin());
    await addMember(origin(), acme.owner.token, acme.organizationId, person, 'member');
    const cookie = await consoleCookie(origin(), person);
    const silent = () => requestOf(app, REDIRECT, pkce(), { prompt: 'none', scope: 'read:user' });
    const anonymous = answerOf((await authorizeRequest(origin(), silent())).location);
    expect(anonymous).toMatchObject({ error: 'login_required', iss: issuer() });
    const unasked = answerOf((await authorizeRequest(origin(), silent(), cookie)).location);
    expect(unasked.error).toBe('consent_required');
    await authorizeAs(origin(), cookie, requestOf(app, REDIRECT, pkce(), { scope: 'read:user' }));
    const answered = answerOf((await authorizeRequest(origin(), silent(), cookie)).location);
    expect(answered.code).toMatch(/^code_/);
  });

  it('a person outside the app’s organization is denied, without a consent screen', async () => {
    const stranger = await signUp(origin());
    const cookie = await consoleCookie(origin(), stranger);
    const answer = await authorizeAs(origin(), cookie, requestOf(app, REDIRECT, pkce()));
    expect(answer.error).toBe('access_denied');
    expect(answer.error_description).toMatch(/Only members/);
  });
});

describe('the consent screen', () => {
  it('sends a person who is not signed in to the console, then asks them', async () => {
    const proof = pkce();
    const request = requestOf(app, REDIRECT, proof, { scope: 'read:user read:members' });
    const first = await authorizeRequest(origin(), request);
    expect(first.status).toBe(302);
    expect(first.location).toMatch(new RegExp(`^${issuer()}/authorize/[\\w-]{43}$`));
    const requestId = consentHandle(first.location);
    // Nobody signed in: the console's sign-in page comes first (the call needs a session).
    const anonymous = await consoleMutation(origin(), 'authorizations.open', undefined, {
      requestId,
    });
    expect(anonymous.status).toBe(401);

    const opened = await consoleMutation(origin(), 'authorizations.open', ownerCookie, {
      requestId,
    });
    expect(opened.data).toEqual({
      status: 'consent',
      app: { clientId: app.clientId, name: 'Acme CRM', description: null },
      organization: { id: acme.organizationId, name: 'Test Org' },
      redirectHost: 'app.example.com',
      scopes: [
        { scope: 'read:user', description: expect.stringMatching(/\w/) },
        { scope: 'read:members', description: expect.stringMatching(/\w/) },
      ],
      decisionToken: expect.stringMatching(/^[\w-]{43}$/),
    });
    const decided = await consoleMutation(origin(), 'authorizations.decide', ownerCookie, {
      requestId,
      decisionToken: opened.data.decisionToken,
      approve: true,
    });
    const back = answerOf(decided.data.redirectTo);
    expect(Object.keys(back).sort()).toEqual(['code', 'from', 'iss', 'state']);
    expect(back).toMatchObject({ state: request.state, iss: issuer(), from: 'timbrix' });
  });

  it('is remembered for the same or fewer scopes, asked again for more or with prompt=consent', async () => {
    const person = await signUp(origin());
    await addMember(origin(), acme.owner.token, acme.organizationId, person, 'member');
    const cookie = await consoleCookie(origin(), person);
    const ask = (extra: object) =>
      authorizeRequest(origin(), requestOf(app, REDIRECT, pkce(), extra), cookie);

    const first = await ask({ scope: 'read:user read:members' });
    expect(first.location).toContain('/authorize/');
    await authorizeAs(
      origin(),
      cookie,
      requestOf(app, REDIRECT, pkce(), { scope: 'read:user read:members' }),
    );
    expect(answerOf((await ask({ scope: 'read:user' })).location).code).toBeDefined();
    expect(answerOf((await ask({ scope: 'read:members read:user' })).location).code).toBeDefined();
    expect((await ask({ scope: 'read:user read:organization' })).location).toContain('/authorize/');
    expect((await ask({ scope: 'read:user', prompt: 'consent' })).location).toContain(
      '/authorize/',
    );
  });

  it('a denial goes back as access_denied with the state', async () => {
    const request = requestOf(app, REDIRECT, pkce(), { prompt: 'consent' });
    const answer = await authorizeAs(origin(), ownerCookie, request, false);
    expect(answer).toMatchObject({ error: 'access_denied', state: request.state, iss: issuer() });
    expect(answer.code).toBeUndefined();
  });

  it('cannot be answered cross-site, with a bearer token, by another session, or twice', async () => {
    const first = await authorizeRequest(
      origin(),
      requestOf(app, REDIRECT, pkce(), { prompt: 'consent' }),
      ownerCookie,
    );
    const requestId = consentHandle(first.location);
    const opened = await consoleMutation(origin(), 'authorizations.open', ownerCookie, {
      requestId,
    });
    const decision = { requestId, decisionToken: opened.data.decisionToken, approve: true };

    const evil = {
      headers: { origin: 'https://evil.example.com', 'sec-fetch-site': 'cross-site' },
    };
    for (const [procedure, input] of [
      ['authorizations.decide', decision],
      ['authorizations.open', { requestId }],
    ] as const) {
      const crossSite = await consoleMutation(origin(), procedure, ownerCookie, input, evil);
      expect(crossSite.status).toBe(403);
      expect(crossSite.error.message).toMatch(/must come from the console's own origin/);
    }

    const bearer = await fetch(`${origin()}/trpc/authorizations.decide`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${acme.owner.token}`,
      },
      body: JSON.stringify(decision),
    });
    expect(bearer.status).toBe(403);
    expect(((await bearer.json()) as any).error.message).toMatch(/in the console/);

    const otherSession = await consoleCookie(origin(), acme.owner);
    const elsewhere = await consoleMutation(
      origin(),
      'authorizations.decide',
      otherSession,
      decision,
    );
    expect(elsewhere.status).toBe(404);

    const wrongValue = await consoleMutation(origin(), 'authorizations.decide', ownerCookie, {
      ...decision,
      decisionToken: 'A'.repeat(43),
    });
    expect(wrongValue.status).toBe(404);

    const answered = await consoleMutation(
      origin(),
      'authorizations.decide',
      ownerCookie,
      decision,
    );
    expect(answerOf(answered.data.redirectTo).code).toBeDefined();
    const replayed = await consoleMutation(
      origin(),
      'authorizations.decide',
      ownerCookie,
      decision,
    );
    expect(replayed.status).toBe(404);
    expect(replayed.error.message).toMatch(/expired, was already answered/);
  });

  it('a request opened by one session is not found by another', async () => {
    const first = await authorizeRequest(
      origin(),
      requestOf(app, REDIRECT, pkce(), { prompt: 'consent' }),
    );
    const requestId = consentHandle(first.location);
    expect(
      (await consoleMutation(origin(), 'authorizations.open', ownerCookie, { requestId })).status,
    ).toBe(200);
    const other = await consoleCookie(origin(), acme.owner);
    expect(
      (await consoleMutation(origin(), 'authorizations.open', other, { requestId })).status,
    ).toBe(404);
  });

  it('an app deactivated after the request was opened: no answer, not even a denial', async () => {
    const leaving = await acme.createApp(['read:user'], 'Leaving', REDIRECT);
    const first = await authorizeRequest(
      origin(),
      requestOf(leaving, REDIRECT, pkce(), { prompt: 'consent' }),
      ownerCookie,
    );
    const requestId = consentHandle(first.location);
    const opened = await consoleMutation(origin(), 'authorizations.open', ownerCookie, {
      requestId,
    });
    await clientOf(origin(), acme.owner.token, acme.organizationId).oauthApps.update.mutate({
      clientId: leaving.clientId,
      isActive: false,
    });
    for (const approve of [false, true]) {
      const decided = await consoleMutation(origin(), 'authorizations.decide', ownerCookie, {
        requestId,
        decisionToken: opened.data.decisionToken,
        approve,
      });
      expect(decided.status).toBe(404);
      expect(decided.data).toBeUndefined();
    }
  });

  it('shows an app’s own scheme as where the answer goes', async () => {
    const native = await acme.createApp(['read:user'], 'Native', 'com.example.app:/callback');
    const first = await authorizeRequest(
      origin(),
      requestOf(native, 'com.example.app:/callback', pkce(), { prompt: 'consent' }),
      ownerCookie,
    );
    const opened = await consoleMutation(origin(), 'authorizations.open', ownerCookie, {
      requestId: consentHandle(first.location),
    });
    expect(opened.data.redirectHost).toBe('com.example.app');
  });

  it('an app changed since the request cannot be answered', async () => {
    const changing = await acme.createApp(['read:user'], 'Changing', REDIRECT);
    const first = await authorizeRequest(
      origin(),
      requestOf(changing, REDIRECT, pkce(), { prompt: 'consent' }),
      ownerCookie,
    );
    await clientOf(origin(), acme.owner.token, acme.organizationId).oauthApps.update.mutate({
      clientId: changing.clientId,
      redirectUri: 'https://moved.example.com/cb',
    });
    const opened = await consoleMutation(origin(), 'authorizations.open', ownerCookie, {
      requestId: consentHandle(first.location),
    });
    expect(opened.status).toBe(404);
  });
});

describe('POST /api/oauth2/token grant_type=authorization_code', () => {
  it('answers an access token acting as the person, and a refresh token', async () => {
    const { code, proof } = await codeFor(app, REDIRECT, { scope: 'read:user read:members' });
    const response = await exchange(app, code, proof);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'read:user read:members',
      refresh_token: expect.stringMatching(/^rt_[0-9A-Za-z]{49}$/),
    });
    const claims = decodeJwt(response.body.access_token);
    expect(claims).toMatchObject({
      sub: acme.owner.id,
      client_id: app.clientId,
      organization_id: acme.organizationId,
      iss: issuer(),
      aud: `${issuer()}/api`,
    });
    const me = await api(origin(), 'GET', '/users/me', { token: response.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(acme.owner.id);
    // Beyond its scopes, the person's token cannot do what the person could.
    const rename = await api(origin(), 'PUT', `/organizations/${acme.organizationId}`, {
      token: response.body.access_token,
      body: { name: 'Renamed' },
    });
    expect(rename.status).toBe(403);
    expect(rename.headers.get('www-authenticate')).toContain('error="insufficient_scope"');

    const tokens = await api(origin(), 'GET', `/oauth/apps/${app.clientId}/tokens`, {
      token: acme.owner.token,
    });
    expect(tokens.body).toContainEqual(
      expect.objectContaining({ id: claims.jti, userId: acme.owner.id }),
    );
    // Only hashes are kept.
    const dump = await server().dump();
    expect(dump).not.toContain(code);
    expect(dump).not.toContain(response.body.refresh_token);
  });

  it('works with client_secret_post and the documented JSON form', async () => {
    const viaPost = await codeFor();
    const post = await formPost(
      origin(),
      '/oauth2/token',
      {
        grant_type: 'authorization_code',
        code: viaPost.code,
        redirect_uri: REDIRECT,
        code_verifier: viaPost.proof.verifier,
      },
      app,
      'post',
    );
    expect(post.status).toBe(200);

    const viaJson = await codeFor();
    const json = await api(origin(), 'POST', '/oauth/token/exchange', {
      body: {
        code: viaJson.code,
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        redirectUri: REDIRECT,
        grantType: 'authorization_code',
        codeVerifier: viaJson.proof.verifier,
      },
    });
    expect(json.status).toBe(200);
    expect(json.body.refresh_token).toMatch(/^rt_/);

    const incomplete = await api(origin(), 'POST', '/oauth/token/exchange', {
      body: { code: viaJson.code, clientId: app.clientId, clientSecret: app.clientSecret },
    });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.message).toMatch(/^redirectUri: /);
  });

  it('needs the verifier, and the right one', async () => {
    const { code, proof } = await codeFor();
    const missing = await exchange(app, code, {});
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      error: 'invalid_request',
      error_description: 'code_verifier is required (PKCE)',
    });
    expectInvalidGrant(await exchange(app, code, pkce()), /code_verifier does not match/);
    // A failed attempt does not spend the code.
    expect((await exchange(app, code, proof)).status).toBe(200);
  });

  it('needs the request’s redirect URI', async () => {
    const { code, proof } = await codeFor();
    expectInvalidGrant(
      await exchange(app, code, proof, 'https://app.example.com/callback'),
      /redirect_uri is not the one/,
    );
  });

  it('refuses another client’s code, and leaves it to its own client', async () => {
    const { code, proof } = await codeFor();
    expectInvalidGrant(await exchange(otherApp, code, proof), /another client/);
    expect((await exchange(app, code, proof)).status).toBe(200);
  });

  it('refuses codes it never issued, or mistyped, without a lookup', async () => {
    expectInvalidGrant(await exchange(app, 'code_notreal', pkce()), /not one this server issued/);
    const { code, proof } = await codeFor();
    const flipped = `${code.slice(0, 10)}${code[10] === 'A' ? 'B' : 'A'}${code.slice(11)}`;
    expectInvalidGrant(await exchange(app, flipped, proof), /not one this server issued/);
    // Nor in the format of secrets from before the checksum: codes were never issued so.
    const legacy = `code_${Buffer.alloc(32, 3).toString('base64url')}`;
    expectInvalidGrant(await exchange(app, legacy, proof), /not one this server issued/);
    expect((await exchange(app, code, proof)).status).toBe(200);
  });

  it('a code used twice fails and revokes every token it produced', async () => {
    const { code, proof } = await codeFor();
    const first = await exchange(app, code, proof);
    expect(first.status).toBe(200);
    const token = first.body.access_token;
    expect((await api(origin(), 'GET', '/users/me', { token })).status).toBe(200);

    expectInvalidGrant(await exchange(app, code, proof), /already used.*revoked/);
    expect((await api(origin(), 'GET', '/users/me', { token })).status).toBe(401);
    const refreshed = await formPost(
      origin(),
      '/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: first.body.refresh_token },
      app,
    );
    expectInvalidGrant(refreshed, /revoked/);
    expect(server().logs()).toContain('authorization_code.reuse_detected');
  });

  it('two racing exchanges of one code: one answers, then both tokens end', async () => {
    const { code, proof } = await codeFor();
    const answers = await Promise.all([exchange(app, code, proof), exchange(app, code, proof)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
    expectInvalidGrant(answers.find((a) => a.status === 400)!, /already used/);
    const won = answers.find((a) => a.status === 200)!;
    const me = await api(origin(), 'GET', '/users/me', { token: won.body.access_token });
    expect(me.status).toBe(401);
  });

  it('an expired code fails', async () => {
    const quick = await startTestServer({
      peerOf: server(),
      env: { AUTHORIZATION_CODE_TTL_SECONDS: '1' },
    });
    try {
      const proof = pkce();
      const answer = await authorizeAs(
        quick.url,
        await consoleCookie(quick.url, acme.owner),
        requestOf(app, REDIRECT, proof, { prompt: 'consent' }),
      );
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const response = await formPost(
        quick.url,
        '/oauth2/token',
        {
          grant_type: 'authorization_code',
          code: answer.code!,
          redirect_uri: REDIRECT,
          code_verifier: proof.verifier,
        },
        app,
      );
      expectInvalidGrant(response, /expired \(codes live 1 seconds\)/);
    } finally {
      await quick.close();
    }
  });
});

describe('the metadata', () => {
  it('advertises the authorization endpoint, the grants and S256', async () => {
    const response = await fetch(`${origin()}/.well-known/oauth-authorization-server`);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      authorization_endpoint: `${issuer()}/api/oauth/authorize`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(metadata.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'client_credentials', 'refresh_token']),
    );
    expect(metadata.scopes_supported).toContain('read:user');
  });
});
