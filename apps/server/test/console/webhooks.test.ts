import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, uniqueEmail, uniqueSlug } from '../harness/index.js';
import { consoleServer, expectAccessible, newPerson, openBrowser, snapshot } from './browser.js';

/**
 * The console's webhooks and audit log in a real browser, over a real server on real
 * PostgreSQL whose queue workers deliver to a real receiver on loopback.
 */
let server: TestServer;
let browser: Browser | undefined;
let receiver: Server;
let hookUrl: string;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString() });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('<b>thanks</b>');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  server = await consoleServer({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WORKERS: 'on' });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

const PASSWORD = 'console-password-1';

async function signUpWithOrganization(page: Page, name: string) {
  await page.goto('/sign-up');
  await page.getByRole('heading', { name: 'Create your Timbrix account' }).waitFor();
  await page.getByLabel('Name').fill('Wes Hook');
  await page.getByLabel('Email').fill(uniqueEmail('webhooks'));
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: /Welcome/ }).waitFor();
  await page.getByRole('link', { name: 'Create an organization' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Slug').fill(uniqueSlug('hooks'));
  await page.getByRole('button', { name: 'Create organization' }).click();
  await page.getByRole('heading', { name }).waitFor();
}

/** The audit log's rows, by event type, as the table shows them. */
const auditTypes = (page: Page) =>
  page.locator('table tbody tr:not(.detail) td:nth-child(2)').allTextContents();

describe('the console’s webhooks and audit log', () => {
  it('adds a webhook (its secret once), tests it, rotates, turns it off, and reads the log', async (context) => {
    browser ??= await openBrowser(context.skip);
    const { page, context: person, blocked } = await newPerson(browser, server);
    await person.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signUpWithOrganization(page, 'Hook Co');

    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByText('No webhook yet').waitFor();
    await snapshot(page, 'webhooks-empty');
    await expectAccessible(page, 'webhooks, none yet');

    // The shared schema speaks first: no URL and no event are refused before any request.
    await page.getByRole('link', { name: 'Add a webhook' }).click();
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByText('events must name at least one event type').waitFor();
    await page.getByLabel('URL').fill('ftp://example.com/hook');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByText('url must be an absolute https URL').waitFor();
    await snapshot(page, 'webhooks-new-invalid');
    await expectAccessible(page, 'new webhook, invalid');

    await page.getByLabel('URL').fill(hookUrl);
    await page.getByLabel('Description (optional)').fill('Local receiver');
    // webhook.test goes only to the webhook tested: nobody can subscribe to it.
    expect(await page.getByRole('checkbox', { name: 'webhook.test' }).count()).toBe(0);
    await page.getByRole('checkbox', { name: 'member.added' }).check();
    await page.getByRole('checkbox', { name: 'oauth_app.created' }).check();
    await page.getByRole('group', { name: 'OAuth apps' }).waitFor();
    await snapshot(page, 'webhooks-new');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your signing secret' });
    await dialog.waitFor();
    const secret = (await dialog.getByTestId('webhook-secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await dialog.getByRole('button', { name: 'Copy secret' }).click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    await snapshot(page, 'webhooks-secret-once');
    await expectAccessible(page, 'webhook secret dialog');
    await dialog.getByRole('button', { name: 'I have stored it' }).click();

    // The detail page, and the secret nowhere on it, also after a reload.
    await page.getByRole('heading', { name: hookUrl }).waitFor();
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await page.getByRole('heading', { name: hookUrl }).waitFor();
    expect(await page.content()).not.toContain(secret);
    expect(await page.getByRole('checkbox', { name: 'member.added' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'member.removed' }).isChecked()).toBe(false);
    await page.getByText('Nothing delivered yet').waitFor();

    // A test event: queued (202), delivered to the receiver by the server's workers.
    await page.getByRole('button', { name: 'Send a test event' }).click();
    await page.getByText('Test event queued').waitFor();
    await expect
      .poll(() => received.filter((hit) => hit.body.includes('"webhook.test"')).length, {
        timeout: 10_000,
      })
      .toBe(1);
    const [hit] = received;
    expect(hit!.headers['webhook-signature']).toMatch(/^v1,/);
    expect(JSON.parse(hit!.body)).toMatchObject({ type: 'webhook.test' });
    await page.reload();
    const deliveries = page.getByRole('region', { name: 'Deliveries' });
    const row = deliveries.getByRole('row').filter({ hasText: 'webhook.test' });
    await row.getByText('succeeded').waitFor();
    expect(await row.getByRole('cell').nth(2).textContent()).toBe('200');
    // The receiver's answer is shown as text, never read as HTML.
    await row.getByText('Body').click();
    expect(await row.locator('pre').textContent()).toBe('<b>thanks</b>');
    expect(await row.locator('pre b').count()).toBe(0);
    await snapshot(page, 'webhooks-detail-delivered');
    await expectAccessible(page, 'webhook detail, delivered');

    // Rotate: the new secret once, and the previous one keeps signing for 24 hours.
    await page.getByRole('button', { name: 'Rotate the secret' }).click();
    const rotated = page.getByRole('dialog', { name: 'Your signing secret' });
    await rotated.getByText(/previous secret keeps signing .* for 24 hours/).waitFor();
    const second = (await rotated.getByTestId('webhook-secret').textContent()) ?? '';
    expect(second).toMatch(/^whsec_/);
    expect(second).not.toBe(secret);
    await snapshot(page, 'webhooks-rotated');
    await expectAccessible(page, 'rotated secret dialog');
    await rotated.getByRole('button', { name: 'I have stored it' }).click();

    // Turn it off: the list says so.
    await page.getByRole('button', { name: 'Turn off' }).click();
    await page.getByRole('button', { name: 'Turn back on' }).waitFor();
    await nav.getByRole('link', { name: 'Webhooks' }).click();
    const listed = page.getByRole('row').filter({ hasText: hookUrl });
    await listed.getByText('Off', { exact: true }).waitFor();
    expect(await listed.getByText('member.added').count()).toBe(1);
    await snapshot(page, 'webhooks-list');
    await expectAccessible(page, 'webhooks list');

    // The audit log: what was done, newest first.
    await nav.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByRole('cell', { name: 'webhook.updated' }).waitFor();
    const types = await auditTypes(page);
    expect(types.slice(0, 3)).toEqual([
      'webhook.updated',
      'webhook.secret_rotated',
      'webhook.test',
    ]);
    expect(types).toContain('webhook.created');
    expect(types.at(-1)).toBe('organization.created');
    // What changed is in the row under the event's, as JSON text.
    const changes = page.locator('tr:has-text("webhook.updated") + tr.detail pre');
    expect(JSON.parse((await changes.textContent()) ?? '')).toEqual({
      changes: { isActive: { from: true, to: false } },
    });
    expect(await page.content()).not.toContain(second);
    await snapshot(page, 'audit-log');
    await expectAccessible(page, 'audit log');

    await page.getByLabel('Event type').selectOption('webhook.created');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => auditTypes(page)).toEqual(['webhook.created']);
    const created = page.getByRole('row').filter({ hasText: 'webhook.created' });
    expect(await created.getByText('server').count()).toBe(0); // a person did it
    await snapshot(page, 'audit-log-filtered');
    await expectAccessible(page, 'audit log, filtered');

    // A time range that ends before anything happened matches nothing.
    await page.getByLabel('Event type').selectOption('');
    await page.getByLabel('Until').fill('2020-01-01T00:00');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No event matches.').waitFor();

    expect(blocked).toEqual([]);
  }, 90_000);

  it('pages the audit log with Load more, and deletes a webhook after asking', async (context) => {
    browser ??= await openBrowser(context.skip);
    const { page } = await newPerson(browser, server);
    await signUpWithOrganization(page, 'Busy Co');
    await page.goto('/webhooks/new');
    await page.getByLabel('URL').fill(hookUrl);
    await page.getByRole('checkbox', { name: 'member.added' }).check();
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('heading', { name: hookUrl }).waitFor();

    // More events than one page (50) holds: every edit writes one.
    const description = page.getByLabel('Description (optional)');
    for (let i = 0; i < 50; i++) {
      await description.fill(`edit ${i}`);
      const saved = page.waitForResponse((response) => response.url().includes('webhooks.update'));
      await page.getByRole('button', { name: 'Save changes' }).click();
      expect((await saved).status()).toBe(200);
    }
    await page.goto('/audit-log');
    await page.getByRole('cell', { name: 'webhook.updated' }).first().waitFor();
    expect((await auditTypes(page)).length).toBe(50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(async () => (await auditTypes(page)).length).toBe(52);
    expect((await auditTypes(page)).at(-1)).toBe('organization.created');
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);

    await page.goto('/webhooks');
    await page.getByRole('link', { name: hookUrl }).click();
    await page.getByRole('button', { name: 'Delete this webhook' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this webhook?' });
    await snapshot(page, 'webhooks-delete-confirm');
    await expectAccessible(page, 'delete webhook dialog');
    await confirm.getByRole('button', { name: 'Delete the webhook' }).click();
    await page.getByText('No webhook yet').waitFor();

    // A member is offered neither page, and is told so at their addresses.
    const memberEmail = uniqueEmail('hook-member');
    await page.goto('/members');
    await page.getByLabel('Email').fill(memberEmail);
    await page.getByRole('button', { name: 'Invite' }).click();
    const link = (await page.locator('.warning code').textContent()) ?? '';
    const member = await newPerson(browser, server);
    await member.page.goto(link);
    await member.page.getByRole('link', { name: 'Create an account' }).click();
    await member.page.getByLabel('Name').fill('Mo Member');
    await member.page.getByLabel('Email').fill(memberEmail);
    await member.page.getByLabel('Password').fill(PASSWORD);
    await member.page.getByRole('button', { name: 'Create account' }).click();
    await member.page.getByRole('button', { name: 'Accept the invitation' }).click();
    await member.page.getByRole('heading', { name: 'Busy Co' }).waitFor();
    const nav = member.page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Webhooks' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    await member.page.goto('/webhooks');
    await member.page.getByText('Only owners and admins of Busy Co see its webhooks').waitFor();
    await snapshot(member.page, 'webhooks-as-member');
    await expectAccessible(member.page, 'webhooks, as a member');
    await member.page.goto('/audit-log');
    await member.page.getByText('Only owners and admins of Busy Co see its audit log').waitFor();
  }, 90_000);
});
