import { randomUUID } from 'node:crypto';
import type { Scope } from '@timbrix/shared/scopes';
import type { Statements } from '../db/statements.js';
import type { NewClientSecret } from './credentials.js';

export interface NewApp {
  clientId: string;
  organizationId: string;
  name: string;
  description: string | null;
  redirectUri: string | null;
  scopes: Scope[];
  createdBy: string;
  secret: NewClientSecret;
}

/**
 * Registers an app and its first secret in one statement: one round trip, atomic, on the
 * hottest write path the management API has. Returns when it was created.
 */
export async function insertApp(sql: Statements, app: NewApp): Promise<Date> {
  const { rows } = await sql.run<{ created_at: Date }>(
    'insert-app-with-secret',
    `with app as (
       insert into oauth_apps
         (id, client_id, organization_id, name, description, redirect_uri, scopes, is_active, created_by_id, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, true, $8, $9, $9)
       returning id, created_at
     )
     insert into oauth_client_secrets (id, app_id, secret_hash, hint, created_at)
     select $10, app.id, $11, $12, app.created_at from app
     returning created_at`,
    [
      randomUUID(),
      app.clientId,
      app.organizationId,
      app.name,
      app.description,
      app.redirectUri,
      app.scopes,
      app.createdBy,
      new Date(),
      randomUUID(),
      app.secret.hash,
      app.secret.hint,
    ],
  );
  return new Date(rows[0]!.created_at);
}
