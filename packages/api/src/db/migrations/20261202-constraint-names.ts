import { Migration } from '@mikro-orm/migrations';

/** PostgreSQL's default names of the foreign keys made inline, and the ORM's names for them. */
const FOREIGN_KEYS: [table: string, column: string][] = [
  ['organizations', 'owner_id'],
  ['memberships', 'organization_id'],
  ['memberships', 'user_id'],
  ['invitations', 'organization_id'],
  ['invitations', 'invited_by_id'],
  ['oauth_apps', 'organization_id'],
  ['oauth_apps', 'created_by_id'],
  ['oauth_client_secrets', 'app_id'],
  ['oauth_access_tokens', 'app_id'],
  ['oauth_access_tokens', 'client_secret_id'],
];

/** Names the foreign keys as the entities do, so that schema and entities compare equal. */
export class ConstraintNames extends Migration {
  override async up(): Promise<void> {
    for (const [table, column] of FOREIGN_KEYS) {
      this.addSql(
        `alter table "${table}" rename constraint "${table}_${column}_fkey" to "${table}_${column}_foreign";`,
      );
    }
  }
}
