import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventType } from '@timbrix/shared/events';
import type { Scope } from '@timbrix/shared/scopes';
import { Repository } from '../../db/repository.js';
import { olderThan } from '../../lib/cursor.js';
import { AccessTokenRepository } from '../access-tokens/repository.js';
import { revokeKeysOfCreator } from '../api-keys/revocation.js';
import { revokeAuthorizationsBeyond } from '../authorizations/revocation.js';
import {
  applyChanges,
  EVENT_COLUMNS,
  eventParameters,
  eventRow,
  recordEvent,
} from '../events/record.js';
import { holdStanding, type StandingHold } from '../memberships/repository.js';
import type { NewClientSecret } from './credentials.js';
import { ClientSecret, OAuthApp } from './entity.js';

export interface NewApp {
  clientId: string;
  organizationId: string;
  name: string;
  description: string | null;
  redirectUri: string | null;
  scopes: Scope[];
  createdBy: string | null;
  secret: NewClientSecret;
  /** The registering person's standing, which must still hold (see `holdStanding`). */
  hold: StandingHold | null;
}

export interface AppChanges {
  name?: string;
  description?: string | null;
  redirectUri?: string | null;
  scopes?: Scope[];
  isActive?: boolean;
  isPlatformResourceServer?: boolean;
}

/** An app with one of its valid secrets (or none), as client authentication reads it. */
export interface ClientRow {
  app_id: string;
  client_id: string;
  organization_id: string;
  scopes: Scope[];
  is_active: boolean;
  is_platform_resource_server: boolean;
  secret_id: string | null;
  secret_hash: string | null;
  secret_hint: string | null;
}

/** The row locked, and read as the lock finds it (never the unit of work's earlier copy). */
const LOCKED_AS_IT_STANDS = { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } as const;

/**
 * What a change of an app must still satisfy when it commits: the writer's standing held, and
 * the policy judged again on the app as the row lock finds it, so that no concurrent change
 * (a platform administrator widening the app) slips between the check and the write.
 */
export interface AppChangeGuard {
  hold: StandingHold | null;
  allow: (locked: OAuthApp) => Promise<void>;
}

/** OAuth apps and their client secrets: one aggregate. */
export class OAuthAppRepository extends Repository {
  /**
   * Registers an app, its first secret and its `oauth_app.created` event in one statement: one
   * round trip, atomic, on the hottest write path the management API has. Returns when it was
   * created, or null if the registering person's standing went away meanwhile (the statement
   * holds it as `holdStanding` does).
   */
  async insert(app: NewApp): Promise<Date | null> {
    const created = eventRow(this.origin, {
      type: 'oauth_app.created',
      organizationId: app.organizationId,
      target: { type: 'oauth_app', id: app.clientId },
      data: { name: app.name, scopes: app.scopes, redirectUri: app.redirectUri },
    });
    const event = eventParameters(created, 15);
    const { rows } = await this.sql.run<{ created_at: Date }>(
      'insert-app-with-secret',
      `with app as (
         insert into oauth_apps
           (id, client_id, organization_id, name, description, redirect_uri, scopes, is_active, created_by_id, created_at, updated_at)
         select $1, $2, $3, $4, $5, $6, $7, true, $8, $9, $9
          where $13::uuid is null or exists (
                select 1 from memberships
                 where id = $13::uuid and organization_id = $3 and role = any($14::text[])
                   for share)
         returning id, created_at
       ), event as (
         insert into events (${EVENT_COLUMNS}) select ${event.placeholders} from app
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
        created.createdAt,
        randomUUID(),
        app.secret.hash,
        app.secret.hint,
        app.hold?.membershipId ?? null,
        app.hold?.roles ?? [],
        ...event.values,
      ],
    );
    return rows[0] ? new Date(rows[0].created_at) : null;
  }

  byClientId(clientId: string, organizationId?: string) {
    return this.em.findOne(OAuthApp, {
      clientId,
      ...(organizationId ? { organization: organizationId } : {}),
    });
  }

  /** Up to `limit` apps of the organization, newest first, older than `after` if given. */
  page(organizationId: string, limit: number, after?: OAuthApp) {
    return this.em.find(
      OAuthApp,
      { organization: organizationId, ...olderThan(after) },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit },
    );
  }

  /**
   * Applies `changes` under a lock on the app; a deactivation or a narrowing revokes, in the
   * same transaction, the tokens and people's authorizations the app no longer allows.
   */
  update(appId: string, changes: AppChanges, guard: AppChangeGuard): Promise<OAuthApp> {
    return this.em.transactional(async (em) => {
      await holdStanding(em, guard.hold);
      const app = await em.findOneOrFail(OAuthApp, appId, LOCKED_AS_IT_STANDS);
      await guard.allow(app);
      const changed = applyChanges(em, app, changes);
      if (Object.keys(changed).length > 0) {
        this.record(em, app, 'oauth_app.updated', { changes: changed });
      }
      if (changed.isActive) {
        this.record(em, app, app.isActive ? 'oauth_app.reactivated' : 'oauth_app.deactivated');
      }
      await em.flush();
      if (changes.isActive === false || changes.scopes) {
        await new AccessTokenRepository(em, this.sql).revokeBeyond(app);
        await revokeAuthorizationsBeyond(em, app);
      }
      return app;
    });
  }

  /**
   * Deletes the app; its secrets and token rows go with it (on delete cascade), and the API
   * keys it created are revoked.
   */
  delete(app: OAuthApp, hold: StandingHold | null): Promise<void> {
    return this.em.transactional(async (em) => {
      await holdStanding(em, hold);
      const deleted = await em.nativeDelete(OAuthApp, { id: app.id });
      if (deleted === 0) return;
      this.record(em, app, 'oauth_app.revoked', { name: app.name });
      const creator = { type: 'app', id: app.clientId } as const;
      await revokeKeysOfCreator(em, this.origin, creator, 'creator_deleted');
    });
  }

  /**
   * Adds `secret` as the app's current one. The current secret keeps working for
   * `graceSeconds`; one still in a grace period ends at once, so at most two are valid.
   * Returns until when the previous secret works, or null when there was none.
   */
  rotateSecret(
    appId: string,
    secret: NewClientSecret,
    graceSeconds: number,
    guard: AppChangeGuard,
  ) {
    return this.em.transactional(async (em) => {
      await holdStanding(em, guard.hold);
      // Rotations of one app take turns, and each judges the app as the lock finds it.
      const app = await em.findOneOrFail(OAuthApp, appId, LOCKED_AS_IT_STANDS);
      await guard.allow(app);
      const now = new Date();
      const valid = await em.find(ClientSecret, {
        app: appId,
        $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }],
      });
      const current = valid.find((s) => s.expiresAt === null);
      for (const older of valid) if (older !== current) older.expiresAt = now;
      if (current) current.expiresAt = new Date(now.getTime() + graceSeconds * 1000);
      em.create(ClientSecret, { app: appId, secretHash: secret.hash, hint: secret.hint });
      this.record(em, app, 'oauth_app.secret_rotated', {
        previousSecretExpiresAt: current?.expiresAt?.toISOString() ?? null,
      });
      return current?.expiresAt ?? null;
    });
  }

  /** The app with `clientId` and its valid secrets, one row each (one row if it has none). */
  async withValidSecrets(clientId: string): Promise<ClientRow[]> {
    const { rows } = await this.sql.run<ClientRow>(
      'client-with-valid-secrets',
      `select a.id as app_id, a.client_id, a.organization_id, a.scopes, a.is_active,
              a.is_platform_resource_server,
              s.id as secret_id, s.secret_hash, s.hint as secret_hint
         from oauth_apps a
         left join oauth_client_secrets s
           on s.app_id = a.id and (s.expires_at is null or s.expires_at > now())
        where a.client_id = $1`,
      [clientId],
    );
    return rows;
  }

  /** Active apps created by `userId` that hold any of `scopes`. */
  activeCreatedBy(userId: string, scopes: readonly Scope[]) {
    return this.em.find(
      OAuthApp,
      { createdBy: userId, scopes: { $overlap: [...scopes] }, isActive: true },
      { fields: ['clientId'] },
    );
  }

  private record(
    em: EntityManager,
    app: OAuthApp,
    type: EventType,
    data?: Record<string, unknown>,
  ) {
    const target = { type: 'oauth_app', id: app.clientId } as const;
    recordEvent(em, this.origin, { type, organizationId: app.organization.id, target, data });
  }
}
