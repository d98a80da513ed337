import { ConfigError, loadConfig } from '@timbrix/api';
import { describe, expect, it } from 'vitest';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3001,
      issuerUrl: undefined,
      databaseUrl: undefined,
      dataDir: '.data',
      sessionTtlSeconds: 3600,
      trpcMaxBatchCalls: 10,
      argon2MaxWaiting: 256,
    });
    expect(config.rateLimits.rules.signupsPerIp).toEqual({
      name: 'signup',
      max: 10,
      windowMs: 3_600_000,
    });
    expect(config.rateLimits.rules.organizationsPerUser).toMatchObject({
      max: 10,
      windowMs: 3_600_000,
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
    ['TRPC_MAX_BATCH_CALLS', '0'],
    ['ARGON2_MAX_WAITING', '-1'],
    ['RATE_LIMIT_SIGNUPS_PER_IP_PER_HOUR', 'many'],
  ])('stops on a bad %s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('strips a trailing slash from ISSUER_URL', () => {
    const config = loadConfig({ ISSUER_URL: 'https://auth.example.com/' });
    expect(config.issuerUrl).toBe('https://auth.example.com');
  });

  it.each([
    ['a hop count', '2', 2],
    ['addresses', 'loopback, 10.0.0.0/8', ['loopback', '10.0.0.0/8']],
    ['off', 'false', false],
  ])('takes TRUST_PROXY as %s', (_, value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });
});
