import type { Context } from '../context.js';

/**
 * The first `limit` of `rows`, which were read one over the limit to tell whether more
 * follow; when more do, the answer's `Link` header (RFC 8288) points to the next page of
 * `path`, after the last row shown, with the list's `filters` kept.
 */
export function pageOf<T>(
  ctx: Pick<Context, 'services' | 'response'>,
  path: string,
  {
    limit,
    rows,
    idOf,
    filters = {},
  }: {
    limit: number;
    rows: T[];
    idOf: (row: T) => string;
    filters?: Record<string, string | undefined>;
  },
): T[] {
  const page = rows.slice(0, limit);
  if (rows.length > limit) {
    const next = new URL(`${ctx.services.config.issuerUrl}${path}`);
    for (const [name, value] of Object.entries(filters)) {
      if (value !== undefined) next.searchParams.set(name, value);
    }
    next.searchParams.set('limit', String(limit));
    next.searchParams.set('after', idOf(page.at(-1)!));
    ctx.response.headers.Link = `<${next}>; rel="next"`;
  }
  return page;
}
