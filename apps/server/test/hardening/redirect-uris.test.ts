import { beforeAll, describe, expect, it } from 'vitest';
import { api, type Tenant, tenant, useTestServer } from '../harness/index.js';

/** Redirect URIs at registration, over HTTP: refused with the rule's name, or kept as sent. */
const server = useTestServer();
let org: Tenant;

beforeAll(async () => {
  org = await tenant(server().url);
});

const create = (redirectUri: string) =>
  api(server().url, 'POST', '/oauth/apps', {
    token: org.owner.token,
    body: { name: 'Redirects', scopes: ['read:user'], redirectUri },
  });

describe('redirect URIs at registration', () => {
  it.each([
    ['userinfo', 'https://user:pass@example.com/cb', /userinfo/],
    ['userinfo hiding the real host', 'https://trusted.example@evil.example/cb', /userinfo/],
    ['a fragment', 'https://example.com/cb#access_token', /fragment/],
    ['an empty fragment', 'https://example.com/cb#', /fragment/],
    ['a wildcard subdomain', 'https://*.example.com/cb', /wildcard/],
    ['javascript:', 'javascript:alert(document.domain)', /javascript/],
    ['data:', 'data:text/html;base64,PHNjcmlwdD4=', /data/],
    ['file:', 'file:///etc/passwd', /file/],
    ['vbscript:', 'vbscript:msgbox', /vbscript/],
    ['http off loopback', 'http://example.com/cb', /loopback/],
    ['a backslash trick', 'https://example.com\\@evil.example/cb', /backslash/],
    // Hosts that read as one name and resolve as another: refused, never rewritten.
    ['an IDN host not in its xn-- form', 'https://bücher.example/callback', /ASCII.*xn--/],
    ['a Cyrillic look-alike host', 'https://exаmple.com/callback', /ASCII.*xn--/],
    ['an all-Cyrillic look-alike', 'https://\u0430\u0440\u0440\u04cf\u0435.com/cb', /ASCII/],
    ['an invisible soft hyphen', 'https://exa\u00admple.com/cb', /ASCII/],
  ])('refuses %s with a 400 naming the rule, and stores nothing', async (_, uri, rule) => {
    const before = await server().sql('select id from oauth_apps');
    const response = await create(uri);
    expect(response.status).toBe(400);
    expect(response.body.issues[0]).toMatchObject({
      path: ['redirectUri'],
      message: expect.stringMatching(rule),
    });
    expect(await server().sql('select id from oauth_apps')).toHaveLength(before.length);
  });

  it.each([
    ['an IDN host in its xn-- form', 'https://xn--bcher-kva.example/callback'],
    ['a punycode host', 'https://xn--80ak6aa92e.com/callback'],
    ['upper case and a default port', 'https://EXAMPLE.com:443/Callback'],
    ['dot segments', 'https://example.com/a/../callback'],
    ['a native app scheme', 'com.example.app:/oauth2redirect'],
  ])('keeps %s exactly as sent, never normalised', async (_, uri) => {
    const response = await create(uri);
    expect(response.status).toBe(201);
    expect(response.body.redirectUri).toBe(uri);
    const [row] = await server().sql<{ redirect_uri: string }>(
      'select redirect_uri from oauth_apps where client_id = $1',
      [response.body.clientId],
    );
    expect(row?.redirect_uri).toBe(uri);
  });
});
