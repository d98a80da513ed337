import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';

/** OWASP's argon2id parameters: 19 MiB, two passes, one lane. */
export const ARGON2_OPTIONS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, which isolated modules cannot read)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** More argon2 work is waiting than the server takes on: come back in a moment. */
export class Overloaded extends Error {
  override name = 'Overloaded';
  readonly retryAfterSeconds = 1;

  constructor() {
    super('The server is busy; retry in a second');
  }
}

/**
 * Hashes and verifies passwords and client secrets with argon2id, one job per core at a
 * time: queued in libuv's small thread pool instead, a burst of hashes would hold up
 * everything else that needs it, such as the SCRAM handshake of a new database connection.
 * At most `maxWaiting` jobs wait for a core; past that a request fails at once with
 * `Overloaded` (a 503) instead of queueing without end.
 */
export class Hasher {
  /** Argon2 jobs done, so tests can check the work a request costs without a clock. */
  readonly work = { hashes: 0, verifications: 0 };
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly maxWaiting: number,
    private readonly slots = availableParallelism(),
  ) {}

  hash(plaintext: string): Promise<string> {
    return this.inSlot(() => {
      this.work.hashes++;
      return hash(plaintext, ARGON2_OPTIONS);
    });
  }

  /** Whether `plaintext` matches `hashed`; a malformed hash matches nothing. */
  verify(hashed: string, plaintext: string): Promise<boolean> {
    return this.inSlot(async () => {
      this.work.verifications++;
      try {
        return await verify(hashed, plaintext);
      } catch {
        return false;
      }
    });
  }

  /**
   * Verifies against a hash of nothing, so that "no such account" costs the same argon2 work
   * as "wrong password" and response times do not tell the two apart.
   */
  async verifyDecoy(plaintext: string): Promise<false> {
    this.decoyHash ??= hash('timbrix-decoy-password', ARGON2_OPTIONS);
    await this.verify(await this.decoyHash, plaintext);
    return false;
  }

  private async inSlot<T>(job: () => Promise<T>): Promise<T> {
    if (this.running < this.slots) this.running++;
    else if (this.waiting.length >= this.maxWaiting) throw new Overloaded();
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // handed a slot
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
