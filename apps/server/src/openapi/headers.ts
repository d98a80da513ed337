/** The headers the API's answers carry, as OpenAPI header objects. */
export const HEADERS = {
  'X-Request-Id': {
    description: 'This request’s id, as the server logs it (the caller’s own, if it sent one)',
    schema: { type: 'string' },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    schema: { type: 'integer', minimum: 1 },
  },
  'RateLimit-Limit': {
    description: 'Requests allowed in the current window',
    schema: { type: 'integer' },
  },
  'RateLimit-Remaining': {
    description: 'Requests left in the current window',
    schema: { type: 'integer' },
  },
  'RateLimit-Reset': {
    description: 'Seconds until the current window ends',
    schema: { type: 'integer' },
  },
  Link: {
    description: 'The next page, as `<url>; rel="next"` (RFC 8288); absent on the last page',
    schema: { type: 'string' },
  },
  'WWW-Authenticate': {
    description:
      'The challenge (RFC 6750; `Basic` on the OAuth endpoints), with the API’s resource metadata (RFC 9728 section 5.1); `error="invalid_token"` for a token that is not (or no longer) valid. On a 403, `error="insufficient_scope"` and the `scope` an access token lacks (RFC 6750 section 3.1).',
    schema: { type: 'string' },
  },
} as const;

export type HeaderName = keyof typeof HEADERS;

const RATE_LIMIT: HeaderName[] = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'];

/**
 * The headers a response with `status` carries. `limited`: the operation counts every call
 * against a limit before it can fail, so its rate-limit headers may come with any answer.
 */
export function headersOf(
  status: number,
  { success = [], limited = false }: { success?: HeaderName[]; limited?: boolean } = {},
): HeaderName[] {
  const headers: HeaderName[] = ['X-Request-Id'];
  if (status < 300) headers.push(...success);
  if (limited && status !== 429) headers.push(...RATE_LIMIT);
  if (status === 401 || status === 403) headers.push('WWW-Authenticate');
  if (status === 429) headers.push('Retry-After', ...RATE_LIMIT);
  if (status === 503) headers.push('Retry-After');
  return headers;
}

/** `{ name: { $ref } }` for an operation's response. */
export const headerRefs = (names: HeaderName[]) =>
  Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));
