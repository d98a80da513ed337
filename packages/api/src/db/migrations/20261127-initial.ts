import { Migration } from '@mikro-orm/migrations';

export class InitialSchema extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table "users" (
  "id" uuid not null primary key,
  "email" varchar(254) not null constraint "users_email_unique" unique,
  "name" varchar(100) null,
  "password_hash" text not null,
  "is_platform_admin" boolean not null default false,
  "created_at" timestamptz not null default now(),
  "updated_at" timestamptz not null default now()
);`);
    this.addSql(`
create table "organizations" (
  "id" uuid not null primary key,
  "name" varchar(100) not null,
  "slug" varchar(50) not null constraint "organizations_slug_unique" unique,
  "logo" text null,
  "owner_id" uuid not null references "users" ("id") on update cascade on delete restrict,
  "created_at" timestamptz not null default now(),
  "updated_at" timestamptz not null default now()
);`);
    this.addSql(`
create table "memberships" (
  "id" uuid not null primary key,
  "organization_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
  "user_id" uuid not null references "users" ("id") on update cascade on delete cascade,
  "role" text not null check ("role" in ('owner', 'admin', 'member')),
  "created_at" timestamptz not null default now(),
  constraint "memberships_user_id_organization_id_unique" unique ("user_id", "organization_id")
);`);
    this.addSql(
      'create index "memberships_organization_id_index" on "memberships" ("organization_id");',
    );
    this.addSql(`
create table "invitations" (
  "id" uuid not null primary key,
  "organization_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
  "email" varchar(254) not null,
  "role" text not null check ("role" in ('admin', 'member')),
  "token_hash" varchar(64) not null constraint "invitations_token_hash_unique" unique,
  "invited_by_id" uuid null references "users" ("id") on update cascade on delete set null,
  "expires_at" timestamptz not null,
  "accepted_at" timestamptz null,
  "created_at" timestamptz not null default now()
);`);
    // One pending invitation per address and organization: a new one replaces it.
    this.addSql(
      'create unique index "invitations_pending_unique" on "invitations" ("organization_id", "email") where "accepted_at" is null;',
    );
    this.addSql(`
create table "oauth_apps" (
  "id" uuid not null primary key,
  "client_id" varchar(20) not null constraint "oauth_apps_client_id_unique" unique,
  "organization_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
  "name" varchar(100) not null,
  "description" varchar(500) null,
  "redirect_uri" text null,
  "scopes" text[] not null,
  "is_active" boolean not null default true,
  "created_by_id" uuid null references "users" ("id") on update cascade on delete set null,
  "created_at" timestamptz not null default now(),
  "updated_at" timestamptz not null default now()
);`);
    this.addSql(
      'create index "oauth_apps_organization_id_created_at_index" on "oauth_apps" ("organization_id", "created_at");',
    );
    this.addSql(`
create table "oauth_client_secrets" (
  "id" uuid not null primary key,
  "app_id" uuid not null references "oauth_apps" ("id") on update cascade on delete cascade,
  "secret_hash" text not null,
  "hint" varchar(4) not null,
  "expires_at" timestamptz null,
  "created_at" timestamptz not null default now()
);`);
    this.addSql(
      'create index "oauth_client_secrets_app_id_index" on "oauth_client_secrets" ("app_id");',
    );
    this.addSql(`
create table "signing_keys" (
  "kid" varchar(64) not null primary key,
  "algorithm" varchar(16) not null,
  "public_jwk" jsonb not null,
  "private_key_sealed" text not null,
  "created_at" timestamptz not null default now(),
  "retired_at" timestamptz null
);`);
  }
}
