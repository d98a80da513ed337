import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';

/** OWASP's argon2id parameters: 19 MiB, two passes, one lane. */
export const ARGON2_OPTIONS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, which isolated modules cannot read)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * Runs at most one argon2 job per core at a time; the rest wait here, in order. Queued in
 * libuv's small thread pool instead, a burst of hashes would hold up everything else that
 * needs it, such as the SCRAM handshake of a new database connection.
 */
const ARGON2_SLOTS = availableParallelism();
let running = 0;
const waiting: (() => void)[] = [];

async function inSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running < ARGON2_SLOTS) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve)); // handed a slot
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export function hashSecret(plaintext: string): Promise<string> {
  return inSlot(() => hash(plaintext, ARGON2_OPTIONS));
}

export async function verifySecret(hashed: string, plaintext: string): Promise<boolean> {
  try {
    return await inSlot(() => verify(hashed, plaintext));
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
