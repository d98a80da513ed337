import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness/index.js';
import { launchChromium, nonLoopbackAddress } from '../harness/needs.js';

/**
 * The interactive API docs, in a real browser, opened over plain http at every address a
 * person may use: they render, and "Try it out" reaches the server (no CSP upgrade to https,
 * no server URL of another origin).
 */
let server: TestServer | undefined;
afterAll(() => server?.close());

async function docsServer(): Promise<{ port: string }> {
  server ??= await startTestServer({ env: { HOST: '0.0.0.0' } });
  return { port: new URL(server.url).port };
}

describe('/api/docs', () => {
  it.for(['localhost', '127.0.0.1', 'non-loopback'])(
    'renders and tries a request when opened at %s over http',
    async (host, context) => {
      const address = host === 'non-loopback' ? nonLoopbackAddress(context.skip) : host;
      const browser = await launchChromium(context.skip);
      try {
        const { port } = await docsServer();
        const page = await browser.newPage();
        const blocked: string[] = [];
        page.on('console', (message) => {
          if (/Content Security Policy|Mixed Content/i.test(message.text())) {
            blocked.push(message.text());
          }
        });
        await page.goto(`http://${address}:${port}/api/docs/`);
        const title = page.locator('.swagger-ui .info .title');
        await title.waitFor({ timeout: 15_000 });
        expect(await title.textContent()).toContain('Timbrix API');
        const operation = page.locator('#operations-users-users-me');
        await operation.locator('.opblock-summary').click();
        await operation.locator('.try-out__btn').click();
        await operation.locator('.execute').click();
        const status = operation
          .locator('.live-responses-table tbody .response-col_status')
          .first();
        await status.waitFor({ timeout: 15_000 });
        // No token: the server's own 401 came back, so the request reached it.
        expect((await status.textContent())?.trim()).toBe('401');
        expect(blocked).toEqual([]);
        await page.screenshot({ path: `test-results/docs-${host}.png`, fullPage: false });
      } finally {
        await browser.close();
      }
    },
  );
});
