import { describe, expect, it } from 'vitest';
import { redirectUriSchema } from '../src/schemas/redirect-uri.js';

const accepted: [string, string][] = [
  ['https', 'https://example.com/callback'],
  ['https with port and query', 'https://example.com:8443/cb?tenant=1'],
  ['http on localhost', 'http://localhost:3000/callback'],
  ['http on 127.0.0.1', 'http://127.0.0.1:8080/cb'],
  ['http on [::1]', 'http://[::1]:8080/cb'],
  ['private-use reverse-DNS scheme', 'com.example.app:/oauth2redirect'],
  ['private-use scheme with authority', 'com.example.app://callback'],
  ['a look-alike host, as sent', 'https://examp1e.com/cb'],
  ['a punycode host', 'https://xn--bcher-kva.example/cb'],
];

const rejected: [string, string, RegExp][] = [
  ['relative', '/callback', /absolute/],
  ['no scheme', 'example.com/callback', /absolute/],
  ['a fragment', 'https://example.com/cb#state', /fragment/],
  ['an empty fragment', 'https://example.com/cb#', /fragment/],
  ['userinfo', 'https://user:pass@example.com/cb', /userinfo/],
  ['empty userinfo', 'https://@example.com/cb', /userinfo/],
  ['userinfo hiding the host', 'https://example.com@evil.com/cb', /userinfo/],
  ['a wildcard host', 'https://*.example.com/cb', /wildcard/],
  ['a wildcard inside the host', 'https://app*.example.com/cb', /wildcard/],
  ['a percent-encoded wildcard', 'https://%2A.example.com/cb', /wildcard/],
  ['plain http', 'http://example.com/cb', /loopback/],
  ['http on a look-alike of localhost', 'http://localhost.evil.com/cb', /loopback/],
  ['http on a loopback alias', 'http://0x7f.1/cb', /loopback/],
  ['javascript:', 'javascript:alert(1)', /javascript/],
  ['JavaScript: in capitals', 'JavaScript:alert(1)', /javascript/],
  ['data:', 'data:text/html,<script>alert(1)</script>', /data/],
  ['file:', 'file:///etc/passwd', /file/],
  ['vbscript:', 'vbscript:msgbox(1)', /vbscript/],
  ['a scheme without a dot', 'myapp:/callback', /reverse-DNS/],
  ['ftp', 'ftp://example.com/cb', /reverse-DNS/],
  ['a backslash', 'https://evil.com\\@example.com/cb', /backslash/],
  ['whitespace', 'https://example.com/c b', /whitespace/],
  ['a control character', 'https://example.com/\u0000cb', /control/],
  ['an https URI without a host', 'https:///cb', /host/],
  ['an IDN host not in its xn-- form', 'https://bücher.example/cb', /ASCII.*xn--/],
  ['an invisible soft hyphen in the host', 'https://exa\u00admple.com/cb', /ASCII.*xn--/],
  ['a host in look-alike Cyrillic', 'https://\u0430\u0440\u0440\u04cf\u0435.com/cb', /ASCII/],
  ['a zero-width space in the host', 'https://exam\u200bple.com/cb', /ASCII/],
  ['a percent-encoded host', 'https://ex%61mple.com/cb', /ASCII/],
  ['a full-width dot in the host', 'https://example\uff0ecom/cb', /ASCII/],
  ['over 2048 characters', `https://example.com/${'a'.repeat(2030)}`, /2048/],
];

describe('redirectUriSchema', () => {
  it.each(accepted)('accepts %s, unchanged', (_, uri) => {
    expect(redirectUriSchema.parse(uri)).toBe(uri);
  });

  it.each(rejected)('rejects %s', (_, uri, message) => {
    const result = redirectUriSchema.safeParse(uri);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(message);
    expect(result.error?.issues[0]?.message).toMatch(/^redirectUri /);
  });
});
