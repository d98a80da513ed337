import { createHash, randomBytes } from 'node:crypto';

/** `prefix` + `bytes` of CSPRNG output, base64url: 32 bytes are 256 bits. */
export function randomToken(prefix: string, bytes = 32): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
