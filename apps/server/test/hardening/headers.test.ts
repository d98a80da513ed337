import { describe, expect, it } from 'vitest';
import { useTestServer } from '../harness/index.js';

const ALLOWED = 'https://app.example.com';
const server = useTestServer({ env: { CORS_ORIGINS: `${ALLOWED}, https://admin.example.com` } });

describe('security headers', () => {
  it('sets helmet’s headers and never says what runs the server', async () => {
    const response = await fetch(`${server().url}/api/health`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    expect(response.headers.get('x-powered-by')).toBeNull();
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
