import type { ApiKeyStatus, ApiKey as ApiKeyView } from '@timbrix/shared/schemas';
import type { ApiKey } from './entity.js';

export function statusOf(
  key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>,
  now = Date.now(),
): ApiKeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt.getTime() <= now) return 'expired';
  return 'active';
}

/** A key as every answer shows it: never the key, never its digest. */
export function apiKeyView(key: ApiKey): ApiKeyView {
  return {
    id: key.id,
    organizationId: key.organization.id,
    prefix: key.prefix,
    name: key.name,
    description: key.description ?? null,
    scopes: key.scopes,
    rateLimitPerMinute: key.rateLimitPerMinute ?? null,
    rateLimitPerHour: key.rateLimitPerHour ?? null,
    allowedIps: key.allowedIps ?? [],
    createdBy: { type: key.creatorType, id: key.creatorId },
    createdAt: key.createdAt.toISOString(),
    updatedAt: key.updatedAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    status: statusOf(key),
  };
}
