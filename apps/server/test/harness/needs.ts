import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { chromium } from 'playwright-core';

/**
 * What a test needs that a machine may lack. On CI (CI=true) a missing need fails the test;
 * elsewhere the test is skipped, saying why.
 */
export function missing(reason: string, skip: (note: string) => void): never {
  if (process.env.CI === 'true') throw new Error(`${reason}, and CI=true: CI must have it`);
  console.warn(`skipped: ${reason}`);
  skip(reason);
  throw new Error('unreachable: skip throws');
}

/** Debian's Chromium (`apt-get install chromium`); Playwright's own download cannot reach its host here. */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium as this machine needs it: no sandbox as root, no background network. */
export function launchChromium(skip: (note: string) => void) {
  if (!existsSync(CHROMIUM)) missing(`no Chromium at ${CHROMIUM}`, skip);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** This machine's first IPv4 address that is not loopback. */
export function nonLoopbackAddress(skip: (note: string) => void): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry?.family === 'IPv4' && !entry.internal)?.address;
  return address ?? missing('no non-loopback IPv4 address on this machine', skip);
}
