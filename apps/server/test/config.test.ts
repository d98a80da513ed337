import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3001,
      issuerUrl: undefined,
      databaseUrl: undefined,
      dataDir: '.data',
      sessionTtlSeconds: 3600,
      platformAdminEmails: [],
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).port).toBe(3001);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['ISSUER_URL', 'ftp://example.com'],
    ['KEY_ENCRYPTION_KEY', 'too-short'],
    ['SESSION_TTL_SECONDS', '-5'],
    ['LOG_LEVEL', 'loud'],
  ])('stops on a bad %s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('strips a trailing slash from ISSUER_URL and lower-cases admin emails', () => {
    const config = loadConfig({
      ISSUER_URL: 'https://auth.example.com/',
      PLATFORM_ADMIN_EMAILS: 'A@Example.com,,b@example.com',
    });
    expect(config.issuerUrl).toBe('https://auth.example.com');
    expect(config.platformAdminEmails).toEqual(['a@example.com', 'b@example.com']);
  });
});
