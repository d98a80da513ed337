import { z } from 'zod';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const DANGEROUS_SCHEMES = new Set(['javascript', 'data', 'file', 'vbscript']);
// RFC 3986 scheme syntax; private-use schemes must also be reverse DNS (RFC 8252 section 7.1).
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
// Whitespace, controls and backslashes are where parsers disagree about what a URI means.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
const AMBIGUOUS_CHARACTERS = /[\s\u0000-\u001f\u007f\\]/;
// A host as DNS writes it, or an IP literal. Anything else (non-ASCII letters, invisible
// characters, look-alikes from other scripts, percent-encoding) is one name on screen and
// another on the wire.
const ASCII_HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?|\[[0-9A-Fa-f:.]+\])$/;

/**
 * Why a redirect URI is unacceptable, or null when it is fine. Rules follow RFC 6749
 * section 3.1.2, RFC 8252 (native apps) and RFC 9700 section 4.1 (exact matching, no
 * open redirectors). The URI is judged as written; it is stored exactly as sent, so what
 * is checked here is what will be compared later.
 */
export function redirectUriProblem(uri: string): string | null {
  if (AMBIGUOUS_CHARACTERS.test(uri)) {
    return 'redirectUri must not contain whitespace, control characters or backslashes';
  }
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (!scheme || !URL.canParse(uri)) return 'redirectUri must be an absolute URI';
  if (DANGEROUS_SCHEMES.has(scheme)) return `redirectUri must not use the ${scheme}: scheme`;
  if (uri.includes('#')) return 'redirectUri must not contain a fragment';

  const rest = uri.slice(scheme.length + 1);
  const authority = rest.startsWith('//') ? (/^\/\/([^/?#]*)/.exec(rest)?.[1] ?? '') : null;
  if (authority?.includes('@')) return 'redirectUri must not contain userinfo';
  const rawHost = authority?.replace(/:\d*$/, '') ?? '';
  const parsedHost = new URL(uri).hostname;
  if (rawHost.includes('*') || parsedHost.includes('*')) {
    return 'redirectUri must not contain a wildcard in the host';
  }
  if (rawHost && !ASCII_HOST.test(rawHost)) {
    return 'redirectUri must write its host in ASCII letters, digits, dots and hyphens: give an internationalised name in its xn-- (punycode) form';
  }

  if (scheme === 'https') {
    return rawHost ? null : 'redirectUri must name a host';
  }
  if (scheme === 'http') {
    return LOOPBACK_HOSTS.has(rawHost.toLowerCase())
      ? null
      : 'redirectUri may use http only on a loopback host (localhost, 127.0.0.1 or [::1]); use https';
  }
  if (!scheme.includes('.')) {
    return 'redirectUri must use https, http on a loopback host, or a reverse-DNS private-use scheme such as com.example.app:/callback';
  }
  return null;
}

/** The one redirect-URI rule, shared by every schema that accepts one. */
export const redirectUriSchema = z
  .string({ error: 'redirectUri must be a string' })
  .max(2048, 'redirectUri must be at most 2048 characters')
  .superRefine((uri, ctx) => {
    const problem = redirectUriProblem(uri);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({
    description:
      'Absolute redirect URI: https, http on a loopback host, or a reverse-DNS private-use scheme (RFC 8252). No fragment, userinfo or wildcard. Stored exactly as sent.',
    example: 'https://example.com/callback',
  });
