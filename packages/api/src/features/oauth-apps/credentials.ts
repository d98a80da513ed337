import { randomBytes } from 'node:crypto';
import type { Hasher } from '../../auth/passwords.js';
import { newSecret } from '../../lib/secrets.js';

/** `app_` + 16 lowercase hex: 64 random bits, unique by index. */
export function newClientId(): string {
  return `app_${randomBytes(8).toString('hex')}`;
}

export interface NewClientSecret {
  /** Returned to the caller once, then forgotten. */
  plaintext: string;
  hash: string;
  /** The last four characters: tells secrets apart, and picks which one to verify. */
  hint: string;
}

/** A client secret (`cs_`, see `@timbrix/shared/secrets`); only its argon2id hash is kept. */
export async function newClientSecret(hasher: Hasher): Promise<NewClientSecret> {
  const plaintext = newSecret('clientSecret');
  return { plaintext, hash: await hasher.hash(plaintext), hint: secretHint(plaintext) };
}

export const secretHint = (secret: string) => secret.slice(-4);
