import { createHash } from 'node:crypto';
import type { RateLimitRules } from '../config.js';
import type { Counter, CounterStore } from './stores.js';

export interface LimitRule {
  name: string;
  /** Allowed per window. */
  max: number;
  windowMs: number;
}

export interface RateHeaders {
  'RateLimit-Limit': string;
  'RateLimit-Remaining': string;
  'RateLimit-Reset': string;
}

/** Over a limit: when to come back, as the 429's headers say. */
export class RateLimited extends Error {
  override name = 'RateLimited';

  constructor(
    readonly rule: LimitRule,
    readonly counter: Counter,
  ) {
    super(`Too many requests; retry in ${secondsUntil(counter.resetAt)} seconds`);
  }

  headers(): RateHeaders & { 'Retry-After': string } {
    return {
      ...headersFor(this.rule, this.counter),
      'Retry-After': String(secondsUntil(this.counter.resetAt)),
    };
  }
}

const secondsUntil = (at: number) => Math.max(1, Math.ceil((at - Date.now()) / 1000));

function headersFor(rule: LimitRule, counter: Counter): RateHeaders {
  return {
    'RateLimit-Limit': String(rule.max),
    'RateLimit-Remaining': String(Math.max(0, rule.max - counter.count)),
    'RateLimit-Reset': String(secondsUntil(counter.resetAt)),
  };
}

export type Check = [rule: LimitRule, ...parts: string[]];

/**
 * Fixed-window rate limits over a shared counter store, so that they hold across processes.
 * Keys are hashed: they are built from what callers send (client ids, emails, addresses).
 * Without a store (the server's own limits with RATE_LIMITS=off) nothing is ever limited.
 */
export class RateLimiter {
  constructor(
    private readonly store: CounterStore | undefined,
    readonly rules: RateLimitRules,
  ) {}

  /**
   * Counts an attempt that may fail (a sign-in, a client authentication) against each counter,
   * before the attempt is made: concurrent attempts each take a place, so a flood cannot slip
   * past the limit. Throws RateLimited when over; the caller gives the places back with
   * `succeeded()`, so that only failures stay counted.
   */
  async attempt(...checks: Check[]): Promise<{ succeeded(): Promise<void> }> {
    const store = this.store;
    if (!store) return { succeeded: async () => {} };
    const { keys, counters } = await count(store, checks);
    checks.forEach(([rule], i) => {
      if (counters[i]!.count > rule.max) throw new RateLimited(rule, counters[i]!);
    });
    return {
      succeeded: async () => {
        await Promise.all(keys.map((key) => store.decrement(key)));
      },
    };
  }

  /** Counts one use; throws RateLimited past the limit, else returns the headers to answer with. */
  async consume(...check: Check): Promise<RateHeaders | undefined> {
    if (!this.store) return undefined;
    const [rule] = check;
    const [counter] = (await count(this.store, [check])).counters;
    if (counter!.count > rule.max) throw new RateLimited(rule, counter!);
    return headersFor(rule, counter!);
  }

  /**
   * Counts one use against each check, in one round trip. Past any of them, the use is given
   * back to all (a refused request counts against none) and RateLimited names the limit that
   * lifts last, so that its Retry-After is when a retry can pass.
   */
  async consumeEach(checks: readonly Check[]): Promise<void> {
    const store = this.store;
    if (!store || checks.length === 0) return;
    const { keys, counters } = await count(store, checks);
    const over = checks
      .map(([rule], i) => ({ rule, counter: counters[i]! }))
      .filter(({ rule, counter }) => counter.count > rule.max);
    if (over.length === 0) return;
    await Promise.all(keys.map((key) => store.decrement(key)));
    const last = over.reduce((a, b) => (b.counter.resetAt > a.counter.resetAt ? b : a));
    throw new RateLimited(last.rule, last.counter);
  }
}

/** One hit on the counter of each check, in one round trip: their keys and their counts. */
async function count(store: CounterStore, checks: readonly Check[]) {
  const keys = checks.map((check) => counterKey(...check));
  const counters = await store.increment(
    checks.map(([rule], i) => ({ key: keys[i]!, windowMs: rule.windowMs })),
  );
  return { keys, counters };
}

/** The store's key for one counter: the rule's name and a digest of what it counts by. */
export function counterKey(rule: LimitRule, ...parts: string[]): string {
  return `${rule.name}:${createHash('sha256').update(parts.join('\u0000')).digest('base64url')}`;
}
