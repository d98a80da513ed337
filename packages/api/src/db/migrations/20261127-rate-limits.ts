import { Migration } from '@mikro-orm/migrations';

export class RateLimits extends Migration {
  override async up(): Promise<void> {
    // Counters are worth nothing after a crash: unlogged spares them the write-ahead log.
    this.addSql(`
create unlogged table "rate_limit_counters" (
  "key" varchar(64) not null primary key,
  "count" integer not null,
  "window_ends_at" timestamptz not null
);`);
    this.addSql(
      'create index "rate_limit_counters_window_ends_at_index" on "rate_limit_counters" ("window_ends_at");',
    );
  }
}
