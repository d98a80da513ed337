import { Migration } from '@mikro-orm/migrations';

/**
 * API keys: an organization's keys for scripts and servers. Only an HMAC of each key is kept
 * (unique: the one indexed lookup a request makes) and its first eight characters.
 */
export class ApiKeys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table "api_keys" (
  "id" uuid not null,
  "created_at" timestamptz not null default now(),
  "updated_at" timestamptz not null default now(),
  "organization_id" uuid not null,
  "digest" varchar(43) not null,
  "prefix" varchar(8) not null,
  "name" varchar(50) not null,
  "description" varchar(200) null,
  "scopes" text[] not null,
  "rate_limit_per_minute" int null,
  "rate_limit_per_hour" int null,
  "allowed_ips" text[] null,
  "creator_type" varchar(16) not null,
  "creator_id" varchar(64) not null,
  "expires_at" timestamptz null,
  "last_used_at" timestamptz null,
  "revoked_at" timestamptz null,
  "revoked_reason" varchar(32) null,
  constraint "api_keys_pkey" primary key ("id"),
  constraint "api_keys_organization_id_foreign" foreign key ("organization_id")
    references "organizations" ("id") on update cascade on delete cascade
);`);
    this.addSql(
      'alter table "api_keys" add constraint "api_keys_digest_unique" unique ("digest");',
    );
    this.addSql(
      'create index "api_keys_organization_id_created_at_index" on "api_keys" ("organization_id", "created_at");',
    );
    this.addSql(
      'create index "api_keys_creator_type_creator_id_index" on "api_keys" ("creator_type", "creator_id");',
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "api_keys" cascade;');
  }
}
