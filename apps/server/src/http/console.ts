import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@timbrix/api';
import express, { type RequestHandler } from 'express';

/** Paths the console never answers: each keeps its own 404. */
const NOT_CONSOLE = /^\/(api|trpc|\.well-known)(\/|$)/;

/**
 * The console (`apps/web`, built to `CONSOLE_DIR`) at `/`: its files as they are,
 * fingerprinted assets cached for good, and its page for every other path of `/`, so that
 * client-side routes load on a reload or from a link. Nothing when the console has not been
 * built beside the server (with a warning); a named `CONSOLE_DIR` without one is an error.
 */
export function consolePages(
  { configured, beside }: { configured: string | undefined; beside: string },
  logger: Logger,
): RequestHandler[] {
  const root = configured ?? beside;
  const indexFile = join(root, 'index.html');
  if (!existsSync(indexFile)) {
    if (configured) throw new Error(`CONSOLE_DIR: ${configured} holds no index.html`);
    logger.warn('the console is not built: nothing is served at /');
    return [];
  }
  const page = readFileSync(indexFile);
  const files = express.static(root, {
    index: false,
    setHeaders(res, path) {
      // Vite names every asset by its content: a new build is a new name.
      const fingerprinted = path.startsWith(join(root, 'assets'));
      res.setHeader(
        'Cache-Control',
        fingerprinted ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  const anyRoute: RequestHandler = (req, res, next) => {
    if (!['GET', 'HEAD'].includes(req.method) || NOT_CONSOLE.test(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(page);
  };
  return [files, anyRoute];
}
