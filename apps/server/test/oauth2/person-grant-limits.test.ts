import { beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  authorizationUrl,
  authorizeAs,
  type Client,
  consoleCookie,
  type Pkce,
  pkce,
  requestFrom,
  requestOf,
  type SignedUpUser,
  signUp,
  startTestServer,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';

/**
 * The limits of people's grants, each counted per client and address and per address (so
 * that one app's many users don't throttle each other), failures also per client.
 */
const server = useTestServer({
  env: {
    RATE_LIMITS: 'on',
    RATE_LIMIT_EXCHANGES_PER_CLIENT_IP: '2',
    RATE_LIMIT_REFRESHES_PER_CLIENT_IP: '100',
    RATE_LIMIT_GRANT_FAILURES_PER_CLIENT: '2',
    RATE_LIMIT_SIGNUPS_PER_IP_PER_HOUR: '10000',
  },
});
const origin = () => server().url;
const REDIRECT = 'https://app.example.com/callback';

let acme: Tenant;
let person: SignedUpUser;
let cookie: string;

beforeAll(async () => {
  acme = await tenant(origin());
  person = await signUp(origin());
  await addMember(origin(), acme.owner.token, acme.organizationId, person, 'member');
  cookie = await consoleCookie(origin(), person);
});

const authorizeFrom = (at: string, ip: string, client: Client) =>
  requestFrom(ip, authorizationUrl(at, requestOf(client, REDIRECT, pkce())));

function tokenFrom(ip: string, client: Client, params: Record<string, string>, at = origin()) {
  return requestFrom(ip, `${at}/api/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams(params).toString(),
  });
}

async function codeOf(client: Client): Promise<{ code: string; proof: Pkce }> {
  const proof = pkce();
  const answer = await authorizeAs(origin(), cookie, requestOf(client, REDIRECT, proof));
  return { code: answer.code!, proof };
}

const exchangeFrom = (
  ip: string,
  client: Client,
  { code, proof }: { code: string; proof: Pkce },
  at = origin(),
) =>
  tokenFrom(
    ip,
    client,
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: proof.verifier,
    },
    at,
  );

describe('limits of people’s grants', () => {
  it('authorization requests: per client and address, then per address', async () => {
    const strict = await startTestServer({
      peerOf: server(),
      env: {
        RATE_LIMITS: 'on',
        RATE_LIMIT_AUTHORIZE_PER_CLIENT_IP: '3',
        RATE_LIMIT_AUTHORIZE_PER_IP: '4',
      },
    });
    try {
      const [one, two] = await Promise.all([
        acme.createApp(['read:user'], 'One', REDIRECT),
        acme.createApp(['read:user'], 'Two', REDIRECT),
      ]);
      const from = (ip: string, client: Client) => authorizeFrom(strict.url, ip, client);
      for (let i = 0; i < 3; i++) expect((await from('127.0.0.2', one)).status).toBe(302);
      const limited = await from('127.0.0.2', one);
      expect(limited.status).toBe(429);
      expect(limited.headers['content-type']).toMatch(/^text\/html/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Another of the app's users, at another address, is not held up.
      expect((await from('127.0.0.3', one)).status).toBe(302);
      // Another app at the same address counts apart, up to the address's own limit.
      expect((await from('127.0.0.2', two)).status).toBe(302);
      expect((await from('127.0.0.2', two)).status).toBe(429);
    } finally {
      await strict.close();
    }
  });

  it('exchanges: per client and address, successes included', async () => {
    const app = await acme.createApp(['read:user'], 'Exchanging', REDIRECT);
    for (let i = 0; i < 2; i++) {
      expect((await exchangeFrom('127.0.0.4', app, await codeOf(app))).status).toBe(200);
    }
    const limited = await exchangeFrom('127.0.0.4', app, await codeOf(app));
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe('too_many_requests');
    expect((await exchangeFrom('127.0.0.5', app, await codeOf(app))).status).toBe(200);
  });

  it('count across the processes of one deployment', async () => {
    const peer = await startTestServer({
      peerOf: server(),
      env: { RATE_LIMITS: 'on', RATE_LIMIT_EXCHANGES_PER_CLIENT_IP: '2' },
    });
    try {
      const app = await acme.createApp(['read:user'], 'Two processes', REDIRECT);
      expect((await exchangeFrom('127.0.0.10', app, await codeOf(app))).status).toBe(200);
      expect((await exchangeFrom('127.0.0.10', app, await codeOf(app), peer.url)).status).toBe(200);
      expect((await exchangeFrom('127.0.0.10', app, await codeOf(app))).status).toBe(429);
    } finally {
      await peer.close();
    }
  });

  it('failed exchanges and refreshes count per client, from any address; successes pass', async () => {
    const app = await acme.createApp(['read:user'], 'Failing', REDIRECT);
    const bad = { grant_type: 'refresh_token', refresh_token: 'rt_nothing' };
    expect((await tokenFrom('127.0.0.6', app, bad)).status).toBe(400);
    expect((await tokenFrom('127.0.0.7', app, bad)).status).toBe(400);
    const limited = await tokenFrom('127.0.0.8', app, bad);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe('too_many_requests');
    // Made-up codes fed through the app's callback cannot lock its people out.
    expect((await exchangeFrom('127.0.0.8', app, await codeOf(app))).status).toBe(200);
  });
});
