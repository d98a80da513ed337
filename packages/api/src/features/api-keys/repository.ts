import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Scope } from '@timbrix/shared/scopes';
import { withLockedRow } from '../../db/locked.js';
import { Repository } from '../../db/repository.js';
import { olderThan } from '../../lib/cursor.js';
import { isUuid } from '../../lib/ids.js';
import { applyChanges } from '../events/record.js';
import { holdStanding, type StandingHold } from '../memberships/repository.js';
import { ApiKey } from './entity.js';
import { LIVE_KEY, recordKeyEvent } from './revocation.js';

export interface NewApiKeyRow {
  organizationId: string;
  digest: string;
  prefix: string;
  name: string;
  description: string | null;
  scopes: Scope[];
  rateLimitPerMinute: number | null;
  rateLimitPerHour: number | null;
  allowedIps: string[] | null;
  creator: { type: 'user' | 'app'; id: string };
  expiresAt: Date | null;
}

export interface ApiKeyChanges {
  name?: string | undefined;
  description?: string | null | undefined;
  scopes?: Scope[] | undefined;
  rateLimitPerMinute?: number | null | undefined;
  rateLimitPerHour?: number | null | undefined;
  allowedIps?: string[] | null | undefined;
}

/** A live key, as a request it authenticates needs it. */
export interface LiveApiKey {
  id: string;
  organization_id: string;
  scopes: Scope[];
  allowed_ips: string[] | null;
  rate_limit_per_minute: number | null;
  rate_limit_per_hour: number | null;
}

/** An organization's API keys. */
export class ApiKeyRepository extends Repository {
  create(fields: NewApiKeyRow, hold: StandingHold | null): Promise<ApiKey> {
    return this.em.transactional(async (em) => {
      await holdStanding(em, hold);
      const { organizationId, creator, ...rest } = fields;
      const key = em.create(ApiKey, {
        id: randomUUID(), // the event names it before the flush
        ...rest,
        organization: organizationId,
        creatorType: creator.type,
        creatorId: creator.id,
      });
      this.record(em, key, 'api_key.created', {
        scopes: key.scopes,
        expiresAt: key.expiresAt?.toISOString() ?? null,
      });
      return key;
    });
  }

  /** The organization's keys, newest first, older than `after`. */
  page(organizationId: string, limit: number, after?: ApiKey) {
    return this.em.find(
      ApiKey,
      { organization: organizationId, ...olderThan(after) },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit },
    );
  }

  byId(organizationId: string, id: string) {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.em.findOne(ApiKey, { id: id.toLowerCase(), organization: organizationId });
  }

  /** Applies what changed, under a lock, while `allow` still allows it on the key as it stands. */
  update(
    key: ApiKey,
    changes: ApiKeyChanges,
    guard: { hold: StandingHold | null; allow: (current: ApiKey) => Promise<void> | void },
  ): Promise<ApiKey> {
    return this.locked(key, guard.hold, async (em, locked) => {
      await guard.allow(locked);
      const changed = applyChanges(em, locked, changes);
      if (Object.keys(changed).length > 0) {
        this.record(em, locked, 'api_key.updated', { changes: changed });
      }
      return locked;
    });
  }

  /** Revokes the key for good; a key already revoked stays as it was. */
  revoke(key: ApiKey, hold: StandingHold | null): Promise<void> {
    return this.locked(key, hold, async (em, locked) => {
      if (locked.revokedAt) return;
      Object.assign(locked, { revokedAt: new Date(), revokedReason: 'revoked' });
      this.record(em, locked, 'api_key.revoked', { reason: 'revoked' });
    });
  }

  /**
   * The live key with this digest, for a request it authenticates: one statement on the
   * unique digest. Its use (the key presented, admitted or not) is recorded at most once a
   * minute, so that a busy key costs no write per request, and never waits for a change.
   */
  async liveForRequest(digest: string): Promise<LiveApiKey | undefined> {
    const { rows } = await this.sql.run<LiveApiKey>(
      'live-api-key-for-request',
      `with live as (
         select k.id, k.organization_id, k.scopes, k.allowed_ips, k.rate_limit_per_minute,
                k.rate_limit_per_hour,
                (k.last_used_at is null or k.last_used_at < now() - interval '1 minute') as stale
           from api_keys k
          where k.digest = $1 and ${LIVE_KEY}
       ), touched as (
         -- A key a change holds locked is not waited for: the next request records the use.
         update api_keys set last_used_at = now()
          where id in (select id from api_keys
                        where id in (select id from live where stale)
                        for no key update skip locked)
       )
       select id, organization_id, scopes, allowed_ips, rate_limit_per_minute, rate_limit_per_hour
         from live`,
      [digest],
    );
    return rows[0];
  }

  /** Runs `work` on the key locked as it stands, holding `hold`. */
  private locked<T>(
    key: ApiKey,
    hold: StandingHold | null,
    work: (em: EntityManager, locked: ApiKey) => Promise<T>,
  ): Promise<T> {
    return withLockedRow(this.em, ApiKey, key.id, hold, work);
  }

  private record(
    em: EntityManager,
    key: ApiKey,
    type: Parameters<typeof recordKeyEvent>[4],
    data: Record<string, unknown>,
  ) {
    const described = { name: key.name, prefix: key.prefix, ...data };
    return recordKeyEvent(em, this.origin, key.id, key.organization.id, type, described);
  }
}
