import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  crc32,
  formatSecret,
  isTimbrixSecret,
  recogniseSecret,
  SECRET_PATTERN,
  SECRET_PREFIXES,
  type SecretKind,
  secretChecksum,
  secretPattern,
} from '../src/secrets.js';

const body = 'a'.repeat(43);

describe('crc32', () => {
  it('matches the standard check value and zlib', async () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    const { crc32: zlib } = await import('node:zlib');
    for (let i = 0; i < 200; i++) {
      const text = randomBytes(32).toString('base64url');
      expect(crc32(text)).toBe(zlib(text));
    }
  });
});

describe('secret format', () => {
  it.each(Object.keys(SECRET_PREFIXES) as SecretKind[])('recognises a %s', (kind) => {
    const secret = formatSecret(kind, body);
    expect(secret).toMatch(secretPattern(kind));
    expect(secret).toMatch(SECRET_PATTERN);
    expect(recogniseSecret(secret)).toBe(kind);
    expect(isTimbrixSecret(secret, kind)).toBe(true);
  });

  it('refuses a secret whose checksum does not hold', () => {
    const secret = formatSecret('clientSecret', body);
    const flipped = `${secret.slice(0, 10)}${secret[10] === 'a' ? 'b' : 'a'}${secret.slice(11)}`;
    expect(recogniseSecret(flipped)).toBeNull();
    expect(recogniseSecret(`${secret.slice(0, -1)}${secret.endsWith('0') ? '1' : '0'}`)).toBeNull();
  });

  it.each([
    ['an unknown prefix', `xx_${body}${secretChecksum(body)}`],
    ['a short body', `cs_${body.slice(1)}${secretChecksum(body.slice(1))}`],
    ['base64url characters', `cs_${'-'.repeat(43)}${secretChecksum('-'.repeat(43))}`],
    ['the earlier base64url format', `cs_${randomBytes(32).toString('base64url')}`],
    ['surrounding space', ` ${formatSecret('apiKey', body)}`],
  ])('refuses %s', (_, value) => {
    expect(recogniseSecret(value)).toBeNull();
  });

  it('tells kinds apart', () => {
    expect(isTimbrixSecret(formatSecret('apiKey', body), 'clientSecret')).toBe(false);
  });

  it('pads the checksum to six characters', () => {
    // Found by search: a body whose CRC32 is small enough to need padding.
    let small = '';
    for (let i = 0; !small; i++) {
      const candidate = `${'b'.repeat(36)}${String(i).padStart(7, '0')}`;
      if (crc32(candidate) < 62 ** 5) small = candidate;
    }
    expect(secretChecksum(small)).toHaveLength(6);
    expect(secretChecksum(small)[0]).toBe('0');
  });
});
