import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  startTestServer,
  type TestServer,
  uniqueEmail,
  uniqueSlug,
} from '../harness/index.js';
import { consoleServer, expectAccessible, newPerson, openBrowser, snapshot } from './browser.js';

/** The console in a real browser, over a real server on real PostgreSQL. */
let server: TestServer;
let browser: Browser | undefined;

beforeAll(async () => {
  server = await consoleServer();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const PASSWORD = 'console-password-1';

async function signUp(page: Page, email: string) {
  await page.goto('/sign-up');
  await page.getByRole('heading', { name: 'Create your Timbrix account' }).waitFor();
  await page.getByLabel('Name').fill('Ada Console');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: /Welcome/ }).waitFor();
}

async function signIn(page: Page, email: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('the console', () => {
  it('signs up, creates an organization and an app (its secret once), then signs out', async (context) => {
    browser ??= await openBrowser(context.skip);
    const { page, context: person, blocked } = await newPerson(browser, server);
    await person.grantPermissions(['clipboard-read', 'clipboard-write']);
    const email = uniqueEmail('console');
    await signUp(page, email);
    await snapshot(page, 'journey1-welcome');
    await expectAccessible(page, 'welcome');

    await page.getByRole('link', { name: 'Create an organization' }).click();
    // The shared schema speaks first: a bad slug is refused before any request.
    await page.getByLabel('Name').fill('Console Co');
    await page.getByLabel('Slug').fill('Not A Slug');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await expect
      .poll(() => page.getByText('slug may contain only lowercase letters').count())
      .toBe(1);
    await snapshot(page, 'journey1-new-organization-invalid');
    await expectAccessible(page, 'new organization');
    const slug = uniqueSlug('console');
    await page.getByLabel('Slug').fill(slug);
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('heading', { name: 'Console Co' }).waitFor();
    expect(await page.getByText(slug).count()).toBe(1);
    await snapshot(page, 'journey1-overview');
    await expectAccessible(page, 'overview');

    // An app: its secret shown once, copyable, and nowhere after a reload.
    await page.getByRole('link', { name: 'Apps' }).click();
    await page.getByText('No app is registered yet').waitFor();
    await snapshot(page, 'journey1-apps-empty');
    await expectAccessible(page, 'apps, none yet');
    await page.getByRole('link', { name: 'Register an app' }).click();
    await page.getByLabel('Name').fill('Console integration');
    await page.getByLabel('Redirect URI (optional)').fill('http://example.com/callback');
    await page.getByLabel('Description (optional)').focus();
    await page.getByText('redirectUri may use http only on a loopback host').waitFor();
    await snapshot(page, 'journey1-new-app-invalid-redirect');
    await page.getByLabel('Redirect URI (optional)').fill('https://example.com/callback');
    expect(await page.getByLabel(/admin:all/).count()).toBe(0); // not a platform administrator
    await page.getByRole('checkbox', { name: /read:organization/ }).click();
    expect(await page.getByRole('checkbox', { name: /read:organization/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Register app' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your client secret' });
    await dialog.waitFor();
    const secret = (await dialog.getByTestId('client-secret').textContent()) ?? '';
    expect(secret).toMatch(/^cs_[0-9A-Za-z]{49}$/);
    await dialog.getByRole('button', { name: 'Copy secret' }).click();
    // The page's clipboard, read in the browser (this file is typed for Node, not the DOM).
    const clipboard = 'navigator.clipboard.readText()';
    expect(await page.evaluate(clipboard)).toBe(secret);
    await snapshot(page, 'journey1-secret-once');
    await expectAccessible(page, 'secret dialog');
    await dialog.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('heading', { name: 'Console integration' }).waitFor();
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await page.getByRole('heading', { name: 'Console integration' }).waitFor();
    expect(await page.content()).not.toContain(secret);
    await snapshot(page, 'journey1-app-detail');
    await expectAccessible(page, 'app detail');

    await page.getByRole('button', { name: 'Rotate the secret' }).click();
    const rotated = page.getByRole('dialog', { name: 'Your client secret' });
    await rotated.getByText(/The previous secret stops working/).waitFor();
    const second = (await rotated.getByTestId('client-secret').textContent()) ?? '';
    expect(second).not.toBe(secret);
    await rotated.getByRole('button', { name: 'I have stored it' }).click();
    // Keyboard: Escape closes a dialog, and focus returns to what opened it.
    const deleteButton = page.getByRole('button', { name: 'Delete this app' });
    await deleteButton.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: /Delete Console integration/ }).waitFor();
    await page.keyboard.press('Escape');
    await expect
      .poll(() => deleteButton.evaluate((el) => el === el.ownerDocument.activeElement))
      .toBe(true);
    await page.getByRole('button', { name: 'Delete this app' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete the app' }).click();
    await page.getByRole('heading', { name: 'OAuth apps' }).waitFor();
    await page.getByText('No app is registered yet').waitFor();

    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Ada Renamed');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByText('Your name is saved.').waitFor();
    await snapshot(page, 'journey1-account');
    await expectAccessible(page, 'account');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in to Timbrix' }).waitFor();
    await page.goto('/account');
    await page.getByRole('heading', { name: 'Sign in to Timbrix' }).waitFor();
    await snapshot(page, 'journey1-signed-out');
    expect(blocked).toEqual([]);
  });

  it('an invited member reads the organization; promoted, they manage its apps', async (context) => {
    browser ??= await openBrowser(context.skip);
    const owner = await newPerson(browser, server);
    await signUp(owner.page, uniqueEmail('owner'));
    await owner.page.goto('/organizations/new');
    await owner.page.getByLabel('Name').fill('Shared Co');
    await owner.page.getByLabel('Slug').fill(uniqueSlug('shared'));
    await owner.page.getByRole('button', { name: 'Create organization' }).click();
    await owner.page.getByRole('heading', { name: 'Shared Co' }).waitFor();

    const inviteeEmail = uniqueEmail('invitee');
    await owner.page.getByRole('link', { name: 'Members' }).click();
    await owner.page.getByLabel('Email').fill(inviteeEmail);
    await owner.page.getByRole('button', { name: 'Invite' }).click();
    const link = await owner.page.locator('.warning code').textContent();
    expect(link).toMatch(/\/invitations\/accept\?token=inv_/);
    await owner.page.getByText(`${inviteeEmail} as member`).waitFor();
    await snapshot(owner.page, 'journey2-owner-members');
    await expectAccessible(owner.page, 'members, as owner');

    // The invitee opens the link, signs up on the way, and comes back to accept.
    const invitee = await newPerson(browser, server);
    await invitee.page.goto(link!);
    await invitee.page.getByRole('link', { name: 'Create an account' }).click();
    await expectAccessible(invitee.page, 'sign up');
    await invitee.page.getByLabel('Name').fill('Bo Invitee');
    await invitee.page.getByLabel('Email').fill(inviteeEmail);
    await invitee.page.getByLabel('Password').fill(PASSWORD);
    await invitee.page.getByRole('button', { name: 'Create account' }).click();
    await invitee.page.getByRole('button', { name: 'Accept the invitation' }).waitFor();
    await snapshot(invitee.page, 'journey2-accept');
    await expectAccessible(invitee.page, 'accept an invitation');
    await invitee.page.getByRole('button', { name: 'Accept the invitation' }).click();
    await invitee.page.getByRole('heading', { name: 'Shared Co' }).waitFor();
    const nav = invitee.page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Apps' }).count()).toBe(0);
    await nav.getByRole('link', { name: 'Members' }).click();
    await invitee.page.getByText('Bo Invitee').waitFor();
    expect(await invitee.page.getByRole('combobox', { name: /Role of/ }).count()).toBe(0);
    expect(await invitee.page.getByRole('button', { name: 'Invite' }).count()).toBe(0);
    await snapshot(invitee.page, 'journey2-member-members');
    await expectAccessible(invitee.page, 'members, as member');

    await owner.page.reload();
    await owner.page
      .getByRole('combobox', { name: `Role of ${inviteeEmail}` })
      .selectOption('admin');
    // Nothing changes until it is saved (a keyboard moving through the choices changes none).
    expect(
      await server.sql(
        'select 1 from memberships where role = $1 and user_id = (select id from users where email = $2)',
        ['admin', inviteeEmail],
      ),
    ).toEqual([]);
    await owner.page.getByRole('button', { name: 'Save role' }).click();
    await expect
      .poll(
        async () =>
          (
            await server.sql<{ role: string }>(
              'select m.role from memberships m join users u on u.id = m.user_id where u.email = $1',
              [inviteeEmail],
            )
          )[0]?.role,
      )
      .toBe('admin');
    await invitee.page.reload();
    await nav.getByRole('link', { name: 'Apps' }).click();
    await invitee.page.getByRole('heading', { name: 'OAuth apps' }).waitFor();
    await snapshot(invitee.page, 'journey2-admin-apps');
  });

  it('lets the owner rename the organization, see a token and revoke it, then delete it all', async (context) => {
    browser ??= await openBrowser(context.skip);
    const { page } = await newPerson(browser, server, 390);
    await signUp(page, uniqueEmail('settings'));
    await page.goto('/organizations/new');
    const slug = uniqueSlug('doomed');
    await page.getByLabel('Name').fill('Doomed Co');
    await page.getByLabel('Slug').fill(slug);
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('heading', { name: 'Doomed Co' }).waitFor();
    await snapshot(page, 'settings-overview-390');

    // A live token of an app, granted outside the console, shows up and can be revoked.
    const [organization] = await server.sql<{ id: string }>(
      'select id from organizations where slug = $1',
      [slug],
    );
    await page.goto('/apps/new');
    await page.getByLabel('Name').fill('Token holder');
    await page.getByRole('checkbox', { name: /read:organization/ }).click();
    await page.getByRole('button', { name: 'Register app' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your client secret' });
    const clientSecret = (await dialog.getByTestId('client-secret').textContent()) ?? '';
    const clientId = (await dialog.locator('dd code').first().textContent()) ?? '';
    await dialog.getByRole('button', { name: 'I have stored it' }).click();
    const granted = await fetch(`${server.url}/api/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId, clientSecret }),
    });
    expect(granted.status).toBe(200);
    await page.reload();
    await page.getByRole('button', { name: /Revoke token/ }).click();
    await page.getByText('No live token').waitFor();
    await snapshot(page, 'settings-app-tokens-390');

    await page.goto('/settings');
    await page.getByLabel('Name').fill('Renamed Co');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await expectAccessible(page, 'settings');
    await page.getByRole('button', { name: 'Delete Renamed Co' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete Renamed Co?' });
    const deleteForGood = confirm.getByRole('button', { name: 'Delete for good' });
    expect(await deleteForGood.isDisabled()).toBe(true);
    await confirm.getByLabel(`Type ${slug}`).fill(slug);
    await snapshot(page, 'settings-delete-confirm-390');
    await expectAccessible(page, 'delete confirmation');
    await deleteForGood.click();
    await page.getByRole('heading', { name: /Welcome/ }).waitFor();
    expect(
      await server.sql('select 1 from organizations where id = $1', [organization!.id]),
    ).toEqual([]);
  });

  it('sends a signed-out person to sign in, then back where they were going', async (context) => {
    browser ??= await openBrowser(context.skip);
    const email = uniqueEmail('return');
    await api(server.url, 'POST', '/auth/register', { body: { email, password: PASSWORD } });
    const { page } = await newPerson(browser, server, 390);
    await page.goto('/account');
    await page.waitForURL(/\/sign-in\?next=%2Faccount$/);
    await snapshot(page, 'return-sign-in-390');
    await expectAccessible(page, 'sign in');
    await signIn(page, email);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/account');
    await snapshot(page, 'return-account-390');
  });

  it('never sends a person elsewhere after signing in, whatever `next` says', async (context) => {
    browser ??= await openBrowser(context.skip);
    const email = uniqueEmail('next');
    await api(server.url, 'POST', '/auth/register', { body: { email, password: PASSWORD } });
    const { page } = await newPerson(browser, server);
    const origin = new URL(server.server.services.config.issuerUrl).origin;
    for (const next of [
      '//evil.example/',
      '/\t/evil.example/',
      '/\\evil.example/',
      'https://evil.example/',
    ]) {
      await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
      await signIn(page, email);
      await page.getByRole('heading', { name: /Welcome/ }).waitFor();
      expect(new URL(page.url()).origin, next).toBe(origin);
      expect(new URL(page.url()).pathname, next).toBe('/');
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('heading', { name: 'Sign in to Timbrix' }).waitFor();
    }
  });

  it('signing out everywhere in one browser ends the session in the other', async (context) => {
    browser ??= await openBrowser(context.skip);
    const email = uniqueEmail('everywhere');
    const first = await newPerson(browser, server);
    await signUp(first.page, email);
    const second = await newPerson(browser, server);
    await second.page.goto('/sign-in');
    await signIn(second.page, email);
    await second.page.getByRole('heading', { name: /Welcome/ }).waitFor();

    await first.page.goto('/account');
    await first.page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await first.page.getByRole('heading', { name: 'Sign in to Timbrix' }).waitFor();
    await second.page.reload();
    await second.page.getByRole('heading', { name: 'Sign in to Timbrix' }).waitFor();
    await snapshot(second.page, 'everywhere-other-browser');
  });
});

describe('another site', () => {
  let evil: Server;
  afterAll(() => new Promise((done) => evil?.close(done)));

  it('cannot use the cookie: a form post and a fetch change nothing', async (context) => {
    browser ??= await openBrowser(context.skip);
    const email = uniqueEmail('victim');
    const { page } = await newPerson(browser, server);
    await signUp(page, email);
    const consoleOrigin = new URL(server.server.services.config.issuerUrl);
    const target = `${consoleOrigin.origin}/trpc/organizations.create`;
    const body = JSON.stringify({ name: 'Planted', slug: uniqueSlug('planted') });
    // Same host, another port: same site, so SameSite=Lax still sends the cookie.
    evil = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><title>Prize</title>
        <form method="post" action="${target}" enctype="text/plain">
          <input name='${body.slice(0, -2)}' value='"}'></form>
        <script>
          fetch(${JSON.stringify(target)}, { method: 'POST', credentials: 'include',
            mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(body)} })
            .finally(() => document.forms[0].submit());
        </script>`);
    });
    await new Promise<void>((listening) => evil.listen(0, consoleOrigin.hostname, listening));
    const { port } = evil.address() as AddressInfo;
    const posted = page.waitForResponse((response) => response.url() === target);
    await page.goto(`http://${consoleOrigin.hostname}:${port}/`);
    expect([403, 415]).toContain((await posted).status());
    await page.waitForLoadState('load');
    const [organizations] = await server.sql<{ n: number }>(
      "select count(*)::int as n from organizations where name = 'Planted'",
    );
    expect(organizations?.n).toBe(0);
  });
});

describe('serving', () => {
  it('refuses to start with a CONSOLE_DIR that holds no console', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'timbrix-empty-'));
    await expect(startTestServer({ peerOf: server, env: { CONSOLE_DIR: empty } })).rejects.toThrow(
      `CONSOLE_DIR: ${empty} holds no index.html`,
    );
    await rm(empty, { recursive: true });
  });

  it('answers every console path with the app, and keeps the API’s own 404s', async () => {
    for (const path of ['/', '/account', '/organizations/new', '/no/such/page']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.text()).toContain('<div id="root"></div>');
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).toMatch(/script-src 'self'(;|$)/);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
    for (const path of ['/api/no-such-route', '/trpc/no.such.procedure', '/.well-known/nothing']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain('<div id="root"></div>');
    }
  });
});
