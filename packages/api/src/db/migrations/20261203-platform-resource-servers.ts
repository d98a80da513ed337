import { Migration } from '@mikro-orm/migrations';

/** An app may be a resource server of the platform, introspecting every organization's tokens. */
export class PlatformResourceServers extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'alter table "oauth_apps" add column "is_platform_resource_server" boolean not null default false;',
    );
  }
}
