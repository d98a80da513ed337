import { Migration } from '@mikro-orm/migrations';

export class AccessTokens extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table "oauth_access_tokens" (
  "id" varchar(40) not null primary key,
  "app_id" uuid not null references "oauth_apps" ("id") on update cascade on delete cascade,
  "scopes" text[] not null,
  "expires_at" timestamptz not null,
  "revoked_at" timestamptz null,
  "last_used_at" timestamptz null,
  "created_at" timestamptz not null default now()
);`);
    this.addSql(
      'create index "oauth_access_tokens_app_id_index" on "oauth_access_tokens" ("app_id");',
    );
    this.addSql(
      'create index "oauth_access_tokens_expires_at_index" on "oauth_access_tokens" ("expires_at");',
    );
  }
}
