import { randomUUID } from 'node:crypto';
import { SESSION_AUDIENCE, SESSION_TOKEN_TYPE } from '@timbrix/api';
import { generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  api,
  grant,
  type SignedUpUser,
  signUp,
  startTestServer,
  tenant,
  useTestServer,
} from '../harness/index.js';

/** Session tokens that must not pass: each one a classic JWT mistake. */
const server = useTestServer();
let user: SignedUpUser;

beforeAll(async () => {
  user = await signUp(server().url);
});

const signingKid = () => server().server.services.keys.signingKey().kid;
const sessionIdOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;

const me = (token: string) => api(server().url, 'GET', '/users/me', { token });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Forgery {
  alg?: string;
  typ?: string;
  kid?: string;
  iss?: string;
  aud?: string;
  exp?: number;
  key?: 'server' | 'foreign';
}

async function forge(options: Forgery = {}): Promise<string> {
  const { services } = server().server;
  const signing = services.keys.signingKey();
  const now = Math.floor(Date.now() / 1000);
  const key =
    options.key === 'foreign' ? (await generateKeyPair('ES256')).privateKey : signing.privateKey;
  return (
    new SignJWT({})
      .setProtectedHeader({
        alg: options.alg ?? 'ES256',
        typ: options.typ ?? SESSION_TOKEN_TYPE,
        kid: options.kid ?? signing.kid,
      })
      .setIssuer(options.iss ?? services.config.issuerUrl)
      .setAudience(options.aud ?? SESSION_AUDIENCE)
      .setSubject(user.id)
      // The jti of a live session row: a forgery can only be about its one flaw below.
      .setJti(sessionIdOf(user.token))
      .setIssuedAt(now - 60)
      .setExpirationTime(options.exp ?? now + 600)
      .sign(key)
  );
}

describe('session token pitfalls', () => {
  it('a correctly forged token passes (so every refusal below is about its one flaw)', async () => {
    expect((await me(await forge())).status).toBe(200);
  });

  it.each<[string, () => Promise<string>]>([
    [
      'alg none',
      async () =>
        `${b64({ alg: 'none', typ: SESSION_TOKEN_TYPE })}.${(await forge()).split('.')[1]}.`,
    ],
    [
      'HMAC signed with the public key',
      async () => {
        const [jwk] = server().server.services.keys.jwks().keys;
        return new SignJWT({
          sub: user.id,
          iss: server().server.services.config.issuerUrl,
          aud: SESSION_AUDIENCE,
        })
          .setProtectedHeader({ alg: 'HS256', typ: SESSION_TOKEN_TYPE, kid: jwk!.kid })
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(new TextEncoder().encode(JSON.stringify(jwk)));
      },
    ],
    ['a foreign key under our kid', () => forge({ key: 'foreign' })],
    ['a foreign kid', () => forge({ key: 'foreign', kid: 'attacker-key' })],
    ['the wrong issuer', () => forge({ iss: 'https://evil.example' })],
    [
      'the access-token audience',
      () => forge({ aud: `${server().server.services.config.issuerUrl}/api` }),
    ],
    ['the access-token type', () => forge({ typ: 'at+jwt' })],
    ['a plain JWT type', () => forge({ typ: 'JWT' })],
    ['an expired one', () => forge({ exp: Math.floor(Date.now() / 1000) - 1 })],
    [
      'a tampered subject',
      async () => {
        const [header, payload, signature] = (await forge()).split('.');
        const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
        return `${header}.${b64({ ...claims, sub: randomUUID() })}.${signature}`;
      },
    ],
    ['garbage', async () => 'not.a.jwt'],
  ])('refuses %s with 401', async (_, make) => {
    const response = await me(await make());
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('needs a live session row: a correctly signed token of an ended session is refused', async () => {
    const other = await signUp(server().url);
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', typ: SESSION_TOKEN_TYPE, kid: signingKid() })
      .setIssuer(server().server.services.config.issuerUrl)
      .setAudience(SESSION_AUDIENCE)
      .setSubject(user.id)
      // Another person's live session id: the row must be the subject's own.
      .setJti(sessionIdOf(other.token))
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(server().server.services.keys.signingKey().privateKey);
    expect((await me(forged)).status).toBe(401);
    expect((await me(await forge({}))).status).toBe(200);
    expect((await me(`${randomUUID()}`)).status).toBe(401);
  });

  it('never takes an OAuth access token for a session: what needs a person answers 403', async () => {
    const org = await tenant(server().url);
    const app = await org.createApp();
    const token = await accessToken(server().url, app);
    for (const [method, path] of [
      ['GET', '/users/me'],
      ['POST', '/organizations'],
      ['POST', '/auth/logout'],
      ['DELETE', `/organizations/${org.organizationId}`],
      // Within the organization, only what its scopes allow: this app holds no admin scope.
      ['GET', `/oauth/apps/organization/${org.organizationId}`],
      ['GET', `/oauth/apps/${app.clientId}`],
    ] as const) {
      const body = method === 'POST' ? {} : undefined;
      const response = await api(server().url, method, path, { token, body });
      expect(response.status, `${method} ${path}`).toBe(403);
    }
  });
});

describe('token lifetimes', () => {
  const claimsOf = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
      iat: number;
      exp: number;
    };

  it('sign sessions for exactly as long as expiresIn says, and as configured', async () => {
    const short = await startTestServer({ peerOf: server(), env: { SESSION_TTL_SECONDS: '1234' } });
    try {
      const login = await api(short.url, 'POST', '/auth/login', {
        body: { email: user.email, password: user.password },
      });
      expect(login.body.expiresIn).toBe(1234);
      const { iat, exp } = claimsOf(login.body.accessToken);
      expect(exp - iat).toBe(1234);
      expect(Math.abs(iat - Date.now() / 1000)).toBeLessThan(5);
    } finally {
      await short.close();
    }
  });

  it('sign access tokens for exactly as long as expires_in says', async () => {
    const app = await (await tenant(server().url)).createApp();
    const granted = await grant(server().url, app);
    const { iat, exp } = claimsOf(granted.body.access_token);
    expect(exp - iat).toBe(granted.body.expires_in);
    expect(granted.body.expires_in).toBe(3600);
  });
});
