import { describe, expect, it } from 'vitest';
import { signUp, startTestServer, useTestServer } from '../harness/index.js';

const ALLOWED = 'https://app.example.com';
const server = useTestServer({ env: { CORS_ORIGINS: `${ALLOWED}, https://admin.example.com` } });

describe('security headers', () => {
  it('sets helmet’s headers and never says what runs the server', async () => {
    const response = await fetch(`${server().url}/api/health`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    // No page of this origin may be framed, not even by itself.
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('asks browsers to upgrade to https only when the issuer is https', async () => {
    const http = await fetch(`${server().url}/api/health`);
    expect(http.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    const secure = await startTestServer({
      peerOf: server(),
      env: { ISSUER_URL: 'https://auth.timbrix.test' },
    });
    try {
      const https = await fetch(`${secure.url}/api/health`);
      expect(https.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    } finally {
      await secure.close();
    }
  });

  it('keeps the interactive docs working under the content security policy', async () => {
    const response = await fetch(`${server().url}/api/docs/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

describe('CORS', () => {
  it('answers a listed origin, with the headers a browser client needs', async () => {
    const response = await fetch(`${server().url}/api/health`, { headers: { origin: ALLOWED } });
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });

  it('answers a preflight from a listed origin', async () => {
    const response = await fetch(`${server().url}/api/oauth/apps`, {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it.each(['https://evil.example', 'null', 'https://app.example.com.evil.example'])(
    'gives %s no CORS headers at all',
    async (origin) => {
      const response = await fetch(`${server().url}/api/health`, { headers: { origin } });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await fetch(`${server().url}/api/oauth/apps`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    },
  );
});

describe('caches and CORS', () => {
  // Finding: only allowed origins got Vary: Origin, while /.well-known answers may be cached
  // publicly: a shared cache could hand an allowed origin a copy without its CORS header.
  it.each([
    ['an allowed origin', ALLOWED],
    ['another origin', 'https://evil.example'],
    ['no origin', undefined],
  ])('varies every answer by Origin, for %s', async (_, origin) => {
    for (const path of [
      '/.well-known/oauth-authorization-server',
      '/.well-known/jwks.json',
      '/api/health',
    ]) {
      const response = await fetch(`${server().url}${path}`, {
        headers: origin ? { origin } : {},
      });
      expect(response.headers.get('vary') ?? '').toMatch(/\bOrigin\b/);
    }
  });
});

describe('the Authorization scheme', () => {
  // Finding: `bearer` (lower case) was refused, though schemes are case-insensitive.
  it.each(['bearer', 'BEARER', 'Bearer'])('accepts %s', async (scheme) => {
    const user = await signUp(server().url);
    const response = await fetch(`${server().url}/api/users/me`, {
      headers: { authorization: `${scheme} ${user.token}` },
    });
    expect(response.status).toBe(200);
  });
});
