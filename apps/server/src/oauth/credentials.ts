import { randomBytes } from 'node:crypto';
import { hashSecret } from '../auth/passwords.js';
import { randomToken } from '../lib/secrets.js';

/** `app_` + 16 lowercase hex: 64 random bits, unique by index. */
export function newClientId(): string {
  return `app_${randomBytes(8).toString('hex')}`;
}

export interface NewClientSecret {
  /** Returned to the caller once, then forgotten. */
  plaintext: string;
  hash: string;
  hint: string;
}

/** `cs_` + 256 bits from the CSPRNG; only its argon2id hash is kept. */
export async function newClientSecret(): Promise<NewClientSecret> {
  const plaintext = randomToken('cs_', 32);
  return { plaintext, hash: await hashSecret(plaintext), hint: plaintext.slice(-4) };
}
