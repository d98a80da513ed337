import type { Context } from '../context.js';

/** The `Link` header (RFC 8288) to the page of `path` after the item `after`. */
export function pageLink(
  ctx: Pick<Context, 'services'>,
  path: string,
  limit: number,
  after: string,
) {
  const next = new URL(`${ctx.services.config.issuerUrl}${path}`);
  next.searchParams.set('limit', String(limit));
  next.searchParams.set('after', after);
  return `<${next}>; rel="next"`;
}
