import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Scope } from '@timbrix/shared/scopes';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  clientOf,
  createOrganization,
  type SignedUpUser,
  signUp,
  type TestServer,
} from '../harness/index.js';
import { consoleServer, expectAccessible, newPerson, openBrowser, snapshot } from './browser.js';

/**
 * The authorization code flow as people meet it: an app built on a standard OAuth client
 * library (openid-client) sends a real browser to the server, the console signs the person
 * in and asks them, and the answer comes back to the app's loopback callback.
 */
let server: TestServer;
let browser: Browser | undefined;
let callback: Callback;

beforeAll(async () => {
  [server, callback] = await Promise.all([consoleServer(), listenForCallbacks()]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await callback?.close();
});

const SCOPES: Scope[] = ['read:user', 'read:organization'];
const issuer = () => server.server.services.config.issuerUrl;

/** An app's loopback redirect URI: every request to `/callback` is kept, in order. */
interface Callback {
  redirectUri: string;
  /** The full URL of the next request to the callback (one already received, or the next). */
  next(): Promise<string>;
  close(): Promise<void>;
}

async function listenForCallbacks(): Promise<Callback> {
  const received: string[] = [];
  const waiting: ((url: string) => void)[] = [];
  let listener: Server | undefined;
  const origin = () => `http://127.0.0.1:${(listener!.address() as AddressInfo).port}`;
  listener = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin());
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="en"><title>App</title><h1>Back in the app</h1></html>');
    const waiter = waiting.shift();
    if (waiter) waiter(url.href);
    else received.push(url.href);
  });
  await new Promise<void>((listening) => listener.listen(0, '127.0.0.1', listening));
  return {
    redirectUri: `${origin()}/callback`,
    next: () => {
      const ready = received.shift();
      return ready ? Promise.resolve(ready) : new Promise((arrived) => waiting.push(arrived));
    },
    close: () => new Promise((closed) => listener.close(() => closed())),
  };
}

interface App {
  person: SignedUpUser;
  name: string;
  config: client.Configuration;
}

/** A person with an organization, and its app (redirecting to the callback), discovered. */
async function personWithApp(name: string): Promise<App> {
  const person = await signUp(server.url);
  const organization = await createOrganization(server.url, person.token, `${name} Co`);
  const app = await clientOf(server.url, person.token, organization.id).oauthApps.create.mutate({
    name,
    description: `${name} keeps your tasks in step with Timbrix.`,
    scopes: SCOPES,
    redirectUri: callback.redirectUri,
  });
  const config = await client.discovery(
    new URL(issuer()),
    app.clientId,
    undefined,
    client.ClientSecretBasic(app.clientSecret),
    { algorithm: 'oauth2', execute: [client.allowInsecureRequests] },
  );
  return { person, name, config };
}

/** What the app starts the flow with: the authorization URL and what it checks the answer by. */
async function startFlow(app: App) {
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const expectedState = client.randomState();
  const url = client.buildAuthorizationUrl(app.config, {
    redirect_uri: callback.redirectUri,
    scope: SCOPES.join(' '),
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: expectedState,
  });
  return { url, checks: { pkceCodeVerifier, expectedState } };
}

/** A signed-out browser follows the app's link: to sign in, then to the consent screen. */
async function signInToConsent(page: Page, app: App, authorizationUrl: URL) {
  await page.goto(authorizationUrl.href);
  await page.waitForURL(/\/sign-in\?next=%2Fauthorize%2F[\w-]{43}$/);
  await page.getByLabel('Email').fill(app.person.email);
  await page.getByLabel('Password').fill(app.person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: `Authorize ${app.name}` }).waitFor();
  expect(new URL(page.url()).pathname).toMatch(/^\/authorize\/[\w-]{43}$/);
}

/** Clicks `button` on the consent screen: the URL the app's callback received, once landed. */
async function respond(page: Page, button: 'Approve' | 'Deny') {
  const arrived = callback.next();
  await page.getByRole('button', { name: button }).click();
  const url = await arrived;
  await page.getByRole('heading', { name: 'Back in the app' }).waitFor();
  return url;
}

/** GET /api/users/me as `accessToken`: its status and body. */
const me = (accessToken: string) => api(server.url, 'GET', '/users/me', { token: accessToken });

/** openid-client's refusal of a grant: the token endpoint's `invalid_grant`. */
const invalidGrant = { error: 'invalid_grant' };

describe('an app asks a person through the console', () => {
  it('signs in, approves, and the app gets tokens that act as the person; reused refresh ends them all', async (context) => {
    browser ??= await openBrowser(context.skip);
    const app = await personWithApp('Task Sync');
    const flow = await startFlow(app);
    const { page, blocked } = await newPerson(browser, server);

    await signInToConsent(page, app, flow.url);
    const consent = page.getByRole('main');
    await consent.getByText('Task Sync keeps your tasks in step with Timbrix.').waitFor();
    await consent.getByText('Task Sync Co').waitFor();
    await consent.getByText('Read user information').waitFor();
    await consent.getByText('Read organization data').waitFor();
    const host = new URL(callback.redirectUri).host;
    expect(await consent.getByText(`will send you back to ${host}`).count()).toBe(1);
    await snapshot(page, 'authorize-consent');
    await expectAccessible(page, 'consent screen');

    // The consent screen is never shown inside another site's frame.
    const framed = await fetch(page.url());
    expect(framed.status).toBe(200);
    expect(framed.headers.get('x-frame-options')).toBe('DENY');
    expect(framed.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    const callbackUrl = await respond(page, 'Approve');
    const answer = new URL(callbackUrl).searchParams;
    expect(answer.get('state')).toBe(flow.checks.expectedState);
    expect(answer.get('iss')).toBe(issuer());

    // openid-client checks state and iss (the metadata promises iss), then redeems the code.
    const tokens = await client.authorizationCodeGrant(
      app.config,
      new URL(callbackUrl),
      flow.checks,
    );
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toMatch(/^rt_/);
    expect(tokens.scope?.split(' ').sort()).toEqual([...SCOPES].sort());

    const asPerson = await me(tokens.access_token);
    expect(asPerson.status).toBe(200);
    expect(asPerson.body.id).toBe(app.person.id);

    // Rotation: the new pair works; the old refresh token, presented again, ends the family.
    const refreshed = await client.refreshTokenGrant(app.config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toMatch(/^rt_/);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect((await me(refreshed.access_token)).status).toBe(200);

    await expect(client.refreshTokenGrant(app.config, tokens.refresh_token!)).rejects.toMatchObject(
      invalidGrant,
    );
    expect((await me(refreshed.access_token)).status).toBe(401);
    await expect(
      client.refreshTokenGrant(app.config, refreshed.refresh_token!),
    ).rejects.toMatchObject(invalidGrant);
    expect(blocked).toEqual([]);
  });

  it('denied, the app is told access_denied with its state (on a phone-sized screen)', async (context) => {
    browser ??= await openBrowser(context.skip);
    const app = await personWithApp('Photo Printer');
    const flow = await startFlow(app);
    const { page } = await newPerson(browser, server, 390);

    await signInToConsent(page, app, flow.url);
    await snapshot(page, 'authorize-consent-390');
    await expectAccessible(page, 'consent screen, 390 px');
    // Nothing sticks out sideways on a narrow screen.
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBe(0);

    const callbackUrl = await respond(page, 'Deny');
    const answer = new URL(callbackUrl).searchParams;
    expect(answer.get('error')).toBe('access_denied');
    expect(answer.get('state')).toBe(flow.checks.expectedState);
    expect(answer.get('code')).toBeNull();
    // The library reads it as the refusal it is.
    await expect(
      client.authorizationCodeGrant(app.config, new URL(callbackUrl), flow.checks),
    ).rejects.toMatchObject({ error: 'access_denied' });

    // Nothing was authorized: the account lists no app.
    await page.goto('/account');
    await page.getByText('You have not authorized any app.').waitFor();
  });

  it('an expired or answered request says so, with the server’s words', async (context) => {
    browser ??= await openBrowser(context.skip);
    const app = await personWithApp('Stale Link');
    const flow = await startFlow(app);
    const { page } = await newPerson(browser, server);
    await signInToConsent(page, app, flow.url);
    const consentUrl = page.url();

    // Opened again (another tab, a reload), the request has a new one-time value; answered
    // once, it is gone.
    await respond(page, 'Deny');
    await page.goto(consentUrl);
    await page.getByRole('heading', { name: 'This request cannot be answered' }).waitFor();
    await page.getByText(/expired, was already answered, or its app changed since/).waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await snapshot(page, 'authorize-gone');
    await expectAccessible(page, 'consent screen, request gone');
  });

  it('the account lists the authorized app; revoking it ends its tokens', async (context) => {
    browser ??= await openBrowser(context.skip);
    const app = await personWithApp('Calendar Bridge');
    const flow = await startFlow(app);
    const { page } = await newPerson(browser, server);
    await signInToConsent(page, app, flow.url);
    const callbackUrl = await respond(page, 'Approve');
    const tokens = await client.authorizationCodeGrant(
      app.config,
      new URL(callbackUrl),
      flow.checks,
    );
    expect((await me(tokens.access_token)).status).toBe(200);

    // Asked again, a person who agreed before goes straight back: no screen.
    const again = await startFlow(app);
    const second = callback.next();
    await page.goto(again.url.href);
    expect(new URL(await second).searchParams.get('code')).toBeTruthy();

    await page.goto('/account');
    const section = page.locator('.card', {
      has: page.getByRole('heading', { name: 'Authorized apps' }),
    });
    const row = section.getByRole('row', { name: /Calendar Bridge/ });
    await row.waitFor();
    // Its tokens were redeemed and used: the account says when, not "never".
    expect(await row.getByRole('cell', { name: 'never' }).count()).toBe(0);
    expect(await row.getByRole('cell', { name: 'Calendar Bridge Co' }).count()).toBe(1);
    expect(await row.getByRole('cell', { name: SCOPES.join(', ') }).count()).toBe(1);
    await snapshot(page, 'authorize-account-apps');
    await expectAccessible(page, 'account, authorized apps');

    await row.getByRole('button', { name: 'Revoke Calendar Bridge' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke Calendar Bridge?' });
    await dialog.waitFor();
    await snapshot(page, 'authorize-account-revoke');
    await expectAccessible(page, 'revoke dialog');
    await dialog.getByRole('button', { name: 'Revoke access' }).click();
    await section.getByText('You have not authorized any app.').waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);

    expect((await me(tokens.access_token)).status).toBe(401);
    await expect(client.refreshTokenGrant(app.config, tokens.refresh_token!)).rejects.toMatchObject(
      invalidGrant,
    );
  });
});
