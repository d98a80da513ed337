import { Migration } from '@mikro-orm/migrations';

/**
 * People authorize apps: pending authorization requests, authorizations (a code and the
 * family of tokens from it), their refresh tokens, remembered consent, and access tokens that
 * act for a person.
 */
export class Authorizations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table "oauth_authorization_requests" (
  "id" varchar(64) not null primary key,
  "app_id" uuid not null,
  "redirect_uri" text not null,
  "scopes" text[] not null,
  "state" text null,
  "code_challenge" varchar(43) not null,
  "force_consent" boolean not null,
  "session_id" uuid null,
  "decision_hash" varchar(64) null,
  "expires_at" timestamptz not null,
  "created_at" timestamptz not null default now(),
  constraint "oauth_authorization_requests_app_id_foreign" foreign key ("app_id")
    references "oauth_apps" ("id") on update cascade on delete cascade,
  constraint "oauth_authorization_requests_session_id_foreign" foreign key ("session_id")
    references "sessions" ("id") on update cascade on delete cascade
);`);
    this.addSql(
      'create index "oauth_authorization_requests_app_id_index" on "oauth_authorization_requests" ("app_id");',
    );
    this.addSql(
      'create index "oauth_authorization_requests_session_id_index" on "oauth_authorization_requests" ("session_id");',
    );
    this.addSql(
      'create index "oauth_authorization_requests_expires_at_index" on "oauth_authorization_requests" ("expires_at");',
    );

    this.addSql(`
create table "oauth_consents" (
  "user_id" uuid not null,
  "app_id" uuid not null,
  "scopes" text[] not null,
  "created_at" timestamptz not null default now(),
  "updated_at" timestamptz not null default now(),
  constraint "oauth_consents_pkey" primary key ("user_id", "app_id"),
  constraint "oauth_consents_user_id_foreign" foreign key ("user_id")
    references "users" ("id") on update cascade on delete cascade,
  constraint "oauth_consents_app_id_foreign" foreign key ("app_id")
    references "oauth_apps" ("id") on update cascade on delete cascade
);`);
    this.addSql('create index "oauth_consents_app_id_index" on "oauth_consents" ("app_id");');

    this.addSql(`
create table "oauth_authorizations" (
  "id" uuid not null primary key,
  "created_at" timestamptz not null default now(),
  "app_id" uuid not null,
  "user_id" uuid not null,
  "scopes" text[] not null,
  "redirect_uri" text not null,
  "code_hash" varchar(64) not null,
  "code_challenge" varchar(43) not null,
  "code_expires_at" timestamptz not null,
  "code_used_at" timestamptz null,
  "expires_at" timestamptz not null,
  "revoked_at" timestamptz null,
  constraint "oauth_authorizations_code_hash_unique" unique ("code_hash"),
  constraint "oauth_authorizations_app_id_foreign" foreign key ("app_id")
    references "oauth_apps" ("id") on update cascade on delete cascade,
  constraint "oauth_authorizations_user_id_foreign" foreign key ("user_id")
    references "users" ("id") on update cascade on delete cascade
);`);
    this.addSql(
      'create index "oauth_authorizations_app_id_index" on "oauth_authorizations" ("app_id");',
    );
    this.addSql(
      'create index "oauth_authorizations_expires_at_index" on "oauth_authorizations" ("expires_at");',
    );
    this.addSql(
      'create index "oauth_authorizations_user_id_app_id_index" on "oauth_authorizations" ("user_id", "app_id");',
    );

    this.addSql(`
create table "oauth_refresh_tokens" (
  "id" uuid not null primary key,
  "created_at" timestamptz not null default now(),
  "authorization_id" uuid not null,
  "token_hash" varchar(64) not null,
  "rotated_at" timestamptz null,
  constraint "oauth_refresh_tokens_token_hash_unique" unique ("token_hash"),
  constraint "oauth_refresh_tokens_authorization_id_foreign" foreign key ("authorization_id")
    references "oauth_authorizations" ("id") on update cascade on delete cascade
);`);
    this.addSql(
      'create index "oauth_refresh_tokens_authorization_id_index" on "oauth_refresh_tokens" ("authorization_id");',
    );

    this.addSql(
      'alter table "oauth_access_tokens" add column "authorization_id" uuid null, add column "user_id" uuid null;',
    );
    this.addSql(`
alter table "oauth_access_tokens"
  add constraint "oauth_access_tokens_authorization_id_foreign" foreign key ("authorization_id")
    references "oauth_authorizations" ("id") on update cascade on delete cascade,
  add constraint "oauth_access_tokens_user_id_foreign" foreign key ("user_id")
    references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(
      'create index "oauth_access_tokens_authorization_id_index" on "oauth_access_tokens" ("authorization_id");',
    );
    this.addSql(
      'create index "oauth_access_tokens_user_id_index" on "oauth_access_tokens" ("user_id");',
    );
  }
}
