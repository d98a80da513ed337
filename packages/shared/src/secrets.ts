/**
 * The one format of every secret Timbrix hands out: a prefix naming its kind, a base62 body
 * of at least 256 random bits, and a 6-character base62 CRC32 of the body (as GitHub's
 * tokens do). The checksum lets a secret scanner recognise a real Timbrix secret offline,
 * and lets the server refuse a mistyped or made-up one before any hash work.
 */
export const SECRET_PREFIXES = {
  clientSecret: 'cs_',
  invitation: 'inv_',
  refreshToken: 'rt_',
  authorizationCode: 'code_',
  apiKey: 'sk_',
} as const;

export type SecretKind = keyof typeof SECRET_PREFIXES;

export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 43 uniform base62 characters carry log2(62^43) = 256.03 random bits. */
export const SECRET_BODY_LENGTH = 43;
export const SECRET_CHECKSUM_LENGTH = 6;

const kindsByPrefix = new Map<string, SecretKind>(
  Object.entries(SECRET_PREFIXES).map(([kind, prefix]) => [prefix, kind as SecretKind]),
);

/** Any Timbrix secret, for scanners: the prefix, the body, then the checksum. */
export const SECRET_PATTERN = new RegExp(
  `^(${Object.values(SECRET_PREFIXES)
    .map((prefix) => prefix.slice(0, -1))
    .join('|')})_([0-9A-Za-z]{${SECRET_BODY_LENGTH}})([0-9A-Za-z]{${SECRET_CHECKSUM_LENGTH}})$`,
);

/** The published regular expression for one kind of secret. */
export function secretPattern(kind: SecretKind): RegExp {
  return new RegExp(
    `^${SECRET_PREFIXES[kind]}[0-9A-Za-z]{${SECRET_BODY_LENGTH + SECRET_CHECKSUM_LENGTH}}$`,
  );
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE 802.3, as zlib computes it) of an ASCII string. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** `value` in base62, left-padded with zeros to `width` characters. */
export function toBase62(value: number, width: number): string {
  let digits = '';
  let rest = value;
  do {
    digits = BASE62_ALPHABET[rest % 62] + digits;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return digits.padStart(width, '0');
}

/** The checksum that follows `body` in a secret. */
export function secretChecksum(body: string): string {
  return toBase62(crc32(body), SECRET_CHECKSUM_LENGTH);
}

/** A complete secret of `kind` around a random base62 `body`. */
export function formatSecret(kind: SecretKind, body: string): string {
  return `${SECRET_PREFIXES[kind]}${body}${secretChecksum(body)}`;
}

/**
 * The kind of a well-formed Timbrix secret whose checksum holds, or null. Says nothing about
 * whether the secret is valid: only the server can tell that.
 */
export function recogniseSecret(value: string): SecretKind | null {
  const match = SECRET_PATTERN.exec(value);
  if (!match) return null;
  const [, prefix, body, checksum] = match;
  if (secretChecksum(body!) !== checksum) return null;
  return kindsByPrefix.get(`${prefix}_`) ?? null;
}

/** Whether `value` is a well-formed secret of `kind` with a correct checksum. */
export function isTimbrixSecret(value: string, kind?: SecretKind): boolean {
  const recognised = recogniseSecret(value);
  return recognised !== null && (kind === undefined || recognised === kind);
}
