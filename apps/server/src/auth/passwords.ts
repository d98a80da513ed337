import { hash, verify } from '@node-rs/argon2';

/** OWASP's argon2id parameters: 19 MiB, two passes, one lane. */
export const ARGON2_OPTIONS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, which isolated modules cannot read)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashSecret(plaintext: string): Promise<string> {
  return hash(plaintext, ARGON2_OPTIONS);
}

export async function verifySecret(hashed: string, plaintext: string): Promise<boolean> {
  try {
    return await verify(hashed, plaintext);
  } catch {
    return false;
  }
}

let decoyHash: Promise<string> | undefined;

/**
 * Verifies against a hash of nothing, so that "no such account" costs the same argon2 work
 * as "wrong password" and response times do not tell the two apart.
 */
export async function verifyDecoy(plaintext: string): Promise<false> {
  decoyHash ??= hashSecret('timbrix-decoy-password');
  await verifySecret(await decoyHash, plaintext);
  return false;
}
