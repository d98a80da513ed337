import { createHash, randomBytes } from 'node:crypto';
import {
  BASE62_ALPHABET,
  formatSecret,
  recogniseSecret,
  SECRET_BODY_LENGTH,
  SECRET_PREFIXES,
  type SecretKind,
} from '@timbrix/shared/secrets';

/** The largest multiple of 62 a byte can reach: bytes at or above it are drawn again. */
const UNBIASED_BYTE_LIMIT = 256 - (256 % 62);

/** `length` characters drawn uniformly from the base62 alphabet with the CSPRNG. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // Rejection sampling: `byte % 62` over all bytes would favour the first 8 characters.
      if (byte < UNBIASED_BYTE_LIMIT) out += BASE62_ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A new secret of `kind`: prefix, 256 random bits in base62, CRC32 checksum. */
export function newSecret(kind: SecretKind): string {
  return formatSecret(kind, randomBase62(SECRET_BODY_LENGTH));
}

/**
 * Secrets issued before the checksummed format: prefix + 32 random bytes in base64url. Only
 * client secrets and invitations were ever issued so; every other kind came after it.
 */
const legacyPattern = (kind: SecretKind) =>
  new RegExp(`^${SECRET_PREFIXES[kind]}[A-Za-z0-9_-]{43}$`);
const LEGACY_PATTERNS = new Map<SecretKind, RegExp>(
  (['clientSecret', 'invitation'] as const).map((kind) => [kind, legacyPattern(kind)]),
);

/**
 * Whether `presented` can be a secret of `kind` at all: the current format with its
 * checksum intact, or the format of secrets issued before it (which keep working). Anything
 * else is refused before any hash work is spent on it.
 */
export function mayBeSecret(kind: SecretKind, presented: string): boolean {
  return (
    recogniseSecret(presented) === kind || (LEGACY_PATTERNS.get(kind)?.test(presented) ?? false)
  );
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
