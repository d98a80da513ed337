import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { startTestServer, type TestServer } from '../harness/index.js';
import { launchChromium } from '../harness/needs.js';

const WEB_ROOT = fileURLToPath(new URL('../../../web/', import.meta.url));
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SCREENSHOTS = 'test-results/console';

/**
 * Builds the console (Vite, about a second) into a folder of its own, so that no other test
 * server ever reads a build half written, then starts a server that serves it (with `env` on
 * top of the harness's, e.g. to turn the queue workers on).
 */
export async function consoleServer(env: Record<string, string> = {}): Promise<TestServer> {
  const outDir = await mkdtemp(join(tmpdir(), 'timbrix-console-'));
  const build = ['vite', 'build', '--logLevel', 'error', '--outDir', outDir, '--emptyOutDir'];
  await promisify(execFile)('npx', build, { cwd: WEB_ROOT });
  const server = await startTestServer({ env: { ...env, CONSOLE_DIR: outDir } });
  return {
    ...server,
    async close() {
      await server.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

/** A browser for one test file: Debian's Chromium, or a skip (a failure when CI=true). */
export async function openBrowser(skip: (note: string) => void): Promise<Browser> {
  return launchChromium(skip);
}

/** A page in a context of its own (its own cookies), at the console's address. */
export async function newPerson(browser: Browser, server: TestServer, width = 1280) {
  const context = await browser.newContext({
    baseURL: server.server.services.config.issuerUrl,
    viewport: { width, height: 900 },
  });
  const page = await context.newPage();
  // A step that fails says so in seconds, with its name, rather than at the test's timeout.
  page.setDefaultTimeout(5000);
  const blocked: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
  });
  return { page, context, blocked };
}

/** Runs axe-core on the page as it stands: no serious or critical violation may remain. */
export async function expectAccessible(page: Page, where: string) {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: () => Promise<AxeResults> } }).axe;
    const results = await axe.run();
    return results.violations
      .filter((violation) => ['serious', 'critical'].includes(violation.impact ?? ''))
      .map((violation) => `${violation.id}: ${violation.help}`);
  });
  expect(violations, where).toEqual([]);
}

interface AxeResults {
  violations: { id: string; impact?: string | null; help: string }[];
}

/** A screenshot of the page, to look at: `test-results/console/<name>.png`. */
export const snapshot = (page: Page, name: string) =>
  page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
