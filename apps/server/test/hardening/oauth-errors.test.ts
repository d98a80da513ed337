import { beforeAll, describe, expect, it } from 'vitest';
import { api, type Client, formPost, tenant, useTestServer } from '../harness/index.js';

/**
 * Finding: error_description echoed what the client sent, outside the characters RFC 6749
 * section 5.2 allows (%x20-21 / %x23-5B / %x5D-7E): quotes, backslashes, controls and
 * non-ASCII reached clients that build their messages from it.
 */
const server = useTestServer();
let app: Client;

beforeAll(async () => {
  app = await (await tenant(server().url)).createApp();
});

const RFC_6749_DESCRIPTION = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;
const HOSTILE = 'é"\\<script>\u0000\u202e\n';

describe('error_description', () => {
  it.each([
    [
      'an unknown grant type',
      () => formPost(server().url, '/oauth2/token', { grant_type: `x${HOSTILE}` }, app),
    ],
    [
      'an unknown scope',
      () =>
        formPost(
          server().url,
          '/oauth2/token',
          { grant_type: 'client_credentials', scope: `read:user ${HOSTILE}` },
          app,
        ),
    ],
    [
      'a scope in the JSON form',
      () => api(server().url, 'POST', '/oauth/token', { body: { ...app, scopes: [HOSTILE] } }),
    ],
    [
      'a repeated parameter',
      () =>
        fetch(`${server().url}/api/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `grant_type=client_credentials&${encodeURIComponent(HOSTILE)}=1&${encodeURIComponent(HOSTILE)}=2`,
        }).then(async (r) => ({ status: r.status, body: await r.json() })),
    ],
  ])('keeps to RFC 6749’s characters for %s', async (_, request) => {
    const response = await request();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const { error_description: description } = response.body as { error_description: string };
    expect(description.length).toBeGreaterThan(0);
    expect(description.length).toBeLessThanOrEqual(300);
    expect(description).toMatch(RFC_6749_DESCRIPTION);
  });
});
