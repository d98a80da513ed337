import type { MikroORM } from '@mikro-orm/postgresql';
import { Redis } from 'ioredis';

export interface Counter {
  count: number;
  /** When the current window ends, in epoch milliseconds. */
  resetAt: number;
}

/**
 * Fixed-window counters shared by every server process. `increment` opens a window on the
 * first hit; `read` sees only live windows.
 */
export interface CounterStore {
  increment(key: string, windowMs: number): Promise<Counter>;
  read(keys: string[]): Promise<Map<string, Counter>>;
  prune(): Promise<void>;
  close(): Promise<void>;
}

interface CounterRow {
  key: string;
  count: number;
  reset_at: string;
}

export class PostgresCounterStore implements CounterStore {
  constructor(private readonly orm: MikroORM) {}

  async increment(key: string, windowMs: number): Promise<Counter> {
    const [row] = await this.orm.em.getConnection().execute<CounterRow[]>(
      `insert into rate_limit_counters as c (key, count, window_ends_at)
       values (?, 1, now() + ? * interval '1 millisecond')
       on conflict (key) do update set
         count = case when c.window_ends_at <= now() then 1 else c.count + 1 end,
         window_ends_at = case when c.window_ends_at <= now()
                               then excluded.window_ends_at else c.window_ends_at end
       returning count, (extract(epoch from window_ends_at) * 1000)::bigint::text as reset_at`,
      [key, windowMs],
    );
    return { count: row!.count, resetAt: Number(row!.reset_at) };
  }

  async read(keys: string[]): Promise<Map<string, Counter>> {
    const rows = await this.orm.em.getConnection().execute<CounterRow[]>(
      `select key, count, (extract(epoch from window_ends_at) * 1000)::bigint::text as reset_at
         from rate_limit_counters where key in (${keys.map(() => '?').join(', ')})
          and window_ends_at > now()`,
      keys,
    );
    return new Map(
      rows.map((row) => [row.key, { count: row.count, resetAt: Number(row.reset_at) }]),
    );
  }

  async prune(): Promise<void> {
    await this.orm.em
      .getConnection()
      .execute('delete from rate_limit_counters where window_ends_at <= now()', [], 'run');
  }

  async close(): Promise<void> {}
}

// Atomic: the first hit of a window sets its expiry.
const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }`;

export class RedisCounterStore implements CounterStore {
  private readonly redis: Redis;

  constructor(url: string) {
    // Fail fast like the database pool: a limiter that waits is an outage of its own.
    this.redis = new Redis(url, {
      keyPrefix: 'timbrix:rl:',
      connectTimeout: 1500,
      commandTimeout: 1500,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      lazyConnect: false,
    });
    this.redis.on('error', () => {}); // reported per command; reconnects by itself
  }

  async increment(key: string, windowMs: number): Promise<Counter> {
    const [count, ttl] = (await this.redis.eval(INCREMENT, 1, key, windowMs)) as [number, number];
    return { count, resetAt: Date.now() + Math.max(ttl, 0) };
  }

  async read(keys: string[]): Promise<Map<string, Counter>> {
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.get(key).pttl(key);
    const results = (await pipeline.exec()) ?? [];
    const counters = new Map<string, Counter>();
    keys.forEach((key, i) => {
      const count = Number(results[i * 2]?.[1] ?? 0);
      const ttl = Number(results[i * 2 + 1]?.[1] ?? -2);
      if (count > 0 && ttl > 0) counters.set(key, { count, resetAt: Date.now() + ttl });
    });
    return counters;
  }

  async prune(): Promise<void> {} // keys expire by themselves

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
