import { Redis } from 'ioredis';
import type { Statements } from '../db/statements.js';

export interface Counter {
  count: number;
  /** When the current window ends, in epoch milliseconds. */
  resetAt: number;
}

/** One hit on one counter, whose window lasts `windowMs` from its first hit. */
export interface Hit {
  key: string;
  windowMs: number;
}

/**
 * Fixed-window counters shared by every server process. `increment` opens each counter's
 * window on its first hit and counts within it: several counters in one round trip, their
 * counts in the order of the hits.
 */
export interface CounterStore {
  increment(hits: readonly Hit[]): Promise<Counter[]>;
  /** Gives back one count of a live window (an attempt that turned out fine). */
  decrement(key: string): Promise<void>;
  prune(): Promise<void>;
  close(): Promise<void>;
}

export class PostgresCounterStore implements CounterStore {
  constructor(private readonly sql: Statements) {}

  async increment(hits: readonly Hit[]): Promise<Counter[]> {
    // In key order, so that two statements counting the same keys never deadlock.
    const sorted = [...hits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const { rows } = await this.sql.run<{ key: string; count: number; reset_at: string }>(
      'increment-rate-counters',
      `insert into rate_limit_counters as c (key, count, window_ends_at)
       select key, 1, now() + ms * interval '1 millisecond'
         from unnest($1::text[], $2::bigint[]) with ordinality as u(key, ms, n)
        order by n
       on conflict (key) do update set
         count = case when c.window_ends_at <= now() then 1 else c.count + 1 end,
         window_ends_at = case when c.window_ends_at <= now()
                               then excluded.window_ends_at else c.window_ends_at end
       returning key, count, (extract(epoch from window_ends_at) * 1000)::bigint::text as reset_at`,
      [sorted.map((hit) => hit.key), sorted.map((hit) => hit.windowMs)],
    );
    const byKey = new Map(rows.map((row) => [row.key, row]));
    return hits.map(({ key }) => {
      const row = byKey.get(key)!;
      return { count: row.count, resetAt: Number(row.reset_at) };
    });
  }

  async decrement(key: string): Promise<void> {
    await this.sql.run(
      'decrement-rate-counter',
      'update rate_limit_counters set count = count - 1 where key = $1 and count > 0 and window_ends_at > now()',
      [key],
    );
  }

  async prune(): Promise<void> {
    await this.sql.run(
      'prune-rate-counters',
      'delete from rate_limit_counters where window_ends_at <= now()',
      [],
    );
  }

  async close(): Promise<void> {}
}

// Atomic: the first hit of a window sets its expiry.
const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }`;

// Only a live window gives back, and never below zero.
const DECREMENT = `
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

export class RedisCounterStore implements CounterStore {
  private readonly redis: Redis;

  constructor(url: string) {
    // Fail fast like the database pool: a limiter that waits is an outage of its own.
    this.redis = new Redis(url, {
      keyPrefix: 'timbrix:rl:',
      connectTimeout: 1500,
      commandTimeout: 1500,
      maxRetriesPerRequest: 1,
    });
    this.redis.on('error', () => {}); // reported per command; it reconnects by itself
  }

  async increment(hits: readonly Hit[]): Promise<Counter[]> {
    const pipeline = this.redis.pipeline();
    for (const { key, windowMs } of hits) pipeline.eval(INCREMENT, 1, key, windowMs);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, result]) => {
      if (error) throw error;
      const [count, ttl] = result as [number, number];
      return { count, resetAt: Date.now() + Math.max(ttl, 0) };
    });
  }

  async decrement(key: string): Promise<void> {
    await this.redis.eval(DECREMENT, 1, key);
  }

  async prune(): Promise<void> {} // keys expire by themselves

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
