import { Migration } from '@mikro-orm/migrations';

/** Sessions become rows, so that signing out ends them at once on every process. */
export class Sessions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table "sessions" (
  "id" uuid not null primary key,
  "created_at" timestamptz not null default now(),
  "user_id" uuid not null,
  "expires_at" timestamptz not null,
  constraint "sessions_user_id_foreign" foreign key ("user_id")
    references "users" ("id") on update cascade on delete cascade
);`);
    this.addSql('create index "sessions_user_id_index" on "sessions" ("user_id");');
    this.addSql('create index "sessions_expires_at_index" on "sessions" ("expires_at");');
  }
}
