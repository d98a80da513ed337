import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  clientOf,
  createOrganization,
  requestFrom,
  type SignedUpUser,
  signUp,
  type TestServer,
} from '../harness/index.js';
import { consoleServer, expectAccessible, newPerson, openBrowser, snapshot } from './browser.js';

/**
 * The console's API keys in a real browser, over a real server on real PostgreSQL: the key
 * it shows once is then used over real HTTP, from allowed and refused loopback addresses.
 */
let server: TestServer;
let browser: Browser | undefined;
let organizationId: string;
let admin: SignedUpUser;
let member: SignedUpUser;

/** The console's page size for keys. */
const PAGE = 25;

beforeAll(async () => {
  server = await consoleServer();
  const owner = await signUp(server.url);
  ({ id: organizationId } = await createOrganization(server.url, owner.token, 'Key Co'));
  admin = await signUp(server.url);
  member = await signUp(server.url);
  await addMember(server.url, owner.token, organizationId, admin, 'admin');
  await addMember(server.url, owner.token, organizationId, member, 'member');
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens `path`, signs in on the way (the console sends the person there), and comes back. */
async function signInAt(page: Page, user: SignedUpUser, path: string) {
  await page.goto(path);
  await page.getByRole('heading', { name: 'Sign in to Timbrix' }).waitFor();
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The organization, read over REST with `key` (from 127.0.0.1 unless said). */
const readOrganization = (key: string, from = '127.0.0.1') =>
  requestFrom(from, `${server.url}/api/organizations/${organizationId}`, {
    headers: { 'x-api-key': key },
  });

/** A date field's value (`YYYY-MM-DD`, local time) a year from now. */
function aYearFromNow() {
  const date = new Date();
  date.setFullYear(date.getFullYear() + 1);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

describe('the console’s API keys', () => {
  it('creates a key (shown once) that works over HTTP, edits its limits and addresses, revokes it', async (context) => {
    browser ??= await openBrowser(context.skip);
    const { page, context: person, blocked } = await newPerson(browser, server);
    await person.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signInAt(page, admin, '/api-keys');
    await page.getByText('No API key yet').waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    const current = nav.getByRole('link', { name: 'API keys' });
    expect(await current.getAttribute('aria-current')).toBe('page');
    await snapshot(page, 'api-keys-empty');
    await expectAccessible(page, 'API keys, none yet');

    // The shared schema speaks first: each field's fault is told at the field, before any call.
    await page.getByRole('link', { name: 'New API key' }).click();
    await page.getByRole('heading', { name: 'New API key' }).waitFor();
    expect(await page.getByRole('checkbox', { name: /read:user/ }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /admin:all/ }).count()).toBe(0);
    await page.getByRole('checkbox', { name: /read:user/ }).uncheck();
    await page.getByLabel('Requests per minute').fill('0');
    await page.getByLabel('Allowed IP addresses').fill('127.0.0.1\nnot-an-address');
    await page.getByLabel('Expires').fill('2020-01-01');
    const creates: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('apiKeys.create')) creates.push(request.url());
    });
    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.getByText('name must be at least 3 characters').waitFor();
    await page.getByText('scopes must contain at least one scope').waitFor();
    await page.getByText('rateLimitPerMinute must be at least 1').waitFor();
    await page
      .getByText(/allowedIps entries must be IPv4 or IPv6 .*got "not-an-address"/)
      .waitFor();
    await page.getByText('expiresAt must be in the future').waitFor();
    expect(creates).toEqual([]);
    expect(await page.getByLabel('Allowed IP addresses').getAttribute('aria-invalid')).toBe('true');
    await snapshot(page, 'api-keys-new-invalid');
    await expectAccessible(page, 'new API key, invalid');

    await page.getByLabel('Name', { exact: true }).fill('Nightly sync');
    await page.getByLabel('Description (optional)').fill('Copies the organization overnight');
    await page.getByRole('checkbox', { name: /read:organization/ }).check();
    await page.getByLabel('Requests per minute').fill('120');
    await page.getByLabel('Requests per hour').fill('5000');
    // Blank lines are skipped; only 127.0.0.1 of the loopback addresses is allowed.
    await page.getByLabel('Allowed IP addresses').fill('127.0.0.1\n\n2001:db8::/32\n');
    const expiry = aYearFromNow();
    await page.getByLabel('Expires').fill(expiry);
    await snapshot(page, 'api-keys-new');
    await page.getByRole('button', { name: 'Create API key' }).click();

    const dialog = page.getByRole('dialog', { name: 'Your API key' });
    await dialog.waitFor();
    const key = (await dialog.getByTestId('api-key').textContent()) ?? '';
    expect(key).toMatch(/^sk_[A-Za-z0-9]{49}$/);
    const prefix = key.slice(3, 11);
    await dialog.getByText(`sk_${prefix}…`).waitFor();
    await dialog.getByRole('button', { name: 'Copy secret' }).click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(key);
    await snapshot(page, 'api-keys-shown-once');
    await expectAccessible(page, 'API key dialog');

    // The key works over real HTTP, with the scopes ticked, from an allowed address only.
    const read = await fetch(`${server.url}/api/organizations/${organizationId}`, {
      headers: { 'X-API-Key': key },
    });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: organizationId, name: 'Key Co' });
    expect((await readOrganization(key, '127.0.0.2')).status).toBe(403);
    await dialog.getByRole('button', { name: 'I have stored it' }).click();

    // The key's page, and the key nowhere on it, also after a reload.
    await page.getByRole('heading', { name: 'Nightly sync' }).waitFor();
    expect(await page.content()).not.toContain(key);
    await page.reload();
    await page.getByRole('heading', { name: 'Nightly sync' }).waitFor();
    expect(await page.content()).not.toContain(key);
    await page.getByText('Copies the organization overnight').first().waitFor();
    await page.getByText(`sk_${prefix}…`).waitFor();
    expect(await page.getByLabel('Requests per minute').inputValue()).toBe('120');
    expect(await page.getByLabel('Requests per hour').inputValue()).toBe('5000');
    expect(await page.getByLabel('Allowed IP addresses').inputValue()).toBe(
      '127.0.0.1\n2001:db8::/32',
    );
    expect(await page.getByRole('checkbox', { name: /read:organization/ }).isChecked()).toBe(true);
    const stored = await clientOf(server.url, admin.token, organizationId).apiKeys.byId.query({
      organizationId,
      keyId: page.url().split('/').at(-1)!,
    });
    expect(stored).toMatchObject({
      prefix,
      scopes: ['read:organization'], // read:user was unticked above
      rateLimitPerMinute: 120,
      rateLimitPerHour: 5000,
      allowedIps: ['127.0.0.1', '2001:db8::/32'],
      createdBy: { type: 'user', id: admin.id },
      expiresAt: new Date(`${expiry}T23:59:59.999`).toISOString(),
      status: 'active',
    });
    await page.getByText(/by You/).waitFor();
    await snapshot(page, 'api-key-detail');
    await expectAccessible(page, 'API key detail');

    // The list: the prefix, never the key; used just now; expiring in a year.
    await nav.getByRole('link', { name: 'API keys' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Nightly sync' });
    await row.getByText(`sk_${prefix}…`).waitFor();
    await row.getByText('Active', { exact: true }).waitFor();
    await row.getByText('read:organization').waitFor();
    expect(await row.getByRole('cell').nth(4).textContent()).not.toBe('Never');
    expect(await row.getByRole('cell').nth(5).textContent()).toContain(expiry.slice(0, 4));
    expect(await page.content()).not.toContain(key);
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    await snapshot(page, 'api-keys-list');
    await expectAccessible(page, 'API keys list');

    // Edit: a new name, a higher per-minute limit, no hourly one, a second address.
    await row.getByRole('link', { name: 'Nightly sync' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Nightly sync v2');
    await page.getByLabel('Requests per minute').fill('600');
    await page.getByLabel('Requests per hour').fill('');
    await page.getByLabel('Allowed IP addresses').fill('127.0.0.1\n127.0.0.2\n2001:db8::/32');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/^Saved\./).waitFor();
    await page.getByRole('heading', { name: 'Nightly sync v2' }).waitFor();
    expect((await readOrganization(key, '127.0.0.2')).status).toBe(200);
    await page.reload();
    await page.getByRole('heading', { name: 'Nightly sync v2' }).waitFor();
    expect(await page.getByLabel('Requests per minute').inputValue()).toBe('600');
    expect(await page.getByLabel('Requests per hour').inputValue()).toBe('');
    await snapshot(page, 'api-key-edited');
    await expectAccessible(page, 'API key, edited');

    // Revoke, after asking: the key stops working at once, and its page is read-only.
    await page.getByRole('button', { name: 'Revoke this key' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke Nightly sync v2?' });
    await confirm.getByText(`sk_${prefix}…`).waitFor();
    await snapshot(page, 'api-key-revoke-confirm');
    await expectAccessible(page, 'revoke dialog');
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    expect((await readOrganization(key)).status).toBe(200);
    await page.getByRole('button', { name: 'Revoke this key' }).click();
    await confirm.getByRole('button', { name: 'Revoke the key' }).click();
    await page.getByText('The key is revoked').waitFor();
    expect((await readOrganization(key)).status).toBe(401);
    expect(await page.getByRole('button', { name: 'Save changes' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Revoke this key' }).count()).toBe(0);
    expect(await page.getByRole('textbox').count()).toBe(0);
    await page.getByText('600 a minute').waitFor();
    await page.getByText('127.0.0.2').waitFor();
    await snapshot(page, 'api-key-revoked');
    await expectAccessible(page, 'API key, revoked');

    await nav.getByRole('link', { name: 'API keys' }).click();
    const revoked = page.getByRole('row').filter({ hasText: 'Nightly sync v2' });
    await revoked.getByText('Revoked', { exact: true }).waitFor();

    // The audit log tells what was done, and the key is nowhere in it.
    await nav.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('cell', { name: 'api_key.revoked' }).waitFor();
    await page.getByRole('cell', { name: 'api_key.updated' }).waitFor();
    await page.getByRole('cell', { name: 'api_key.created' }).waitFor();
    expect(await page.content()).not.toContain(key);

    expect(blocked).toEqual([]);
  }, 90_000);

  it('pages the list with Load more, narrow too; a member is told only admins see keys', async (context) => {
    browser ??= await openBrowser(context.skip);
    const keys = clientOf(server.url, admin.token, organizationId).apiKeys;
    for (let i = 1; i <= PAGE + 1; i++) {
      await keys.create.mutate({ organizationId, name: `Batch key ${String(i).padStart(2, '0')}` });
    }
    const total = (await keys.list.query({ organizationId })).length;
    expect(total).toBeGreaterThan(PAGE);

    const { page } = await newPerson(browser, server, 390);
    await signInAt(page, admin, '/api-keys');
    const rows = page.locator('table tbody tr');
    await page.getByRole('link', { name: `Batch key ${PAGE + 1}` }).waitFor();
    expect(await rows.count()).toBe(PAGE);
    await snapshot(page, 'api-keys-list-narrow');
    await expectAccessible(page, 'API keys list, narrow');
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows.count()).toBe(total);
    // Newest first: the first batch key is the last but the ones made before it.
    await page.getByRole('link', { name: 'Batch key 01' }).waitFor();
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);

    await page.getByRole('link', { name: 'New API key' }).click();
    await page.getByRole('heading', { name: 'New API key' }).waitFor();
    await snapshot(page, 'api-keys-new-narrow');
    await expectAccessible(page, 'new API key, narrow');

    // A member is offered no way there, and is told so at each address.
    const other = await newPerson(browser, server);
    const asked: string[] = [];
    other.page.on('request', (request) => {
      if (request.url().includes('apiKeys.')) asked.push(request.url());
    });
    await signInAt(other.page, member, '/api-keys');
    await other.page.getByText('Only owners and admins of Key Co see its API keys').waitFor();
    const nav = other.page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    await snapshot(other.page, 'api-keys-as-member');
    await expectAccessible(other.page, 'API keys, as a member');
    const [first] = await keys.list.query({ organizationId, limit: 1 });
    for (const path of ['/api-keys/new', `/api-keys/${first!.id}`]) {
      await other.page.goto(path);
      await other.page.getByText('Only owners and admins of Key Co see its API keys').waitFor();
    }
    expect(await other.page.getByText('Batch key').count()).toBe(0);
    expect(asked).toEqual([]); // no request the server would refuse
  }, 90_000);
});
