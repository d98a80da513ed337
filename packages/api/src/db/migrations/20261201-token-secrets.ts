import { Migration } from '@mikro-orm/migrations';

/** Each access token remembers the client secret its grant was made with. */
export class TokenSecrets extends Migration {
  override async up(): Promise<void> {
    // Tokens issued before this have none, and keep working until they expire.
    this.addSql(
      'alter table "oauth_access_tokens" add column "client_secret_id" uuid null references "oauth_client_secrets" ("id") on update cascade on delete cascade;',
    );
    this.addSql(
      'create index "oauth_access_tokens_client_secret_id_index" on "oauth_access_tokens" ("client_secret_id");',
    );
  }
}
