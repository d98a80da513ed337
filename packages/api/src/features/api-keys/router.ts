import {
  apiKey,
  apiKeyIdInput,
  apiKeyValidation,
  createApiKeyInput,
  createdApiKey,
  listApiKeysInput,
  updateApiKeyInput,
} from '@timbrix/shared/schemas';
import { z } from 'zod';
import { ApiError } from '../../errors/codes.js';
import { pageOf } from '../../lib/pages.js';
import { holdFor } from '../../standing.js';
import { operation, publicProcedure, router } from '../../trpc.js';
import { actorOf } from '../events/record.js';
import { requireGrantable, requireMayChangeKey } from '../oauth-apps/policy.js';
import { canonicalAllowedIps } from './addresses.js';
import type { ApiKey } from './entity.js';
import { API_KEY_ERRORS, apiKeyProcedure, apiKeysProcedure } from './procedure.js';
import { apiKeyView } from './view.js';

const PATH = '/organizations/{organizationId}/api-keys';
const ONE = `${PATH}/{keyId}`;
const tags = ['api-keys'];
const action = 'apiKeys:manage';
const ONE_ERRORS = [...API_KEY_ERRORS, 'API_KEY_NOT_FOUND'] as const;
const GRANT_ERRORS = ['PLATFORM_SCOPE_NOT_GRANTABLE', 'SCOPE_NOT_HELD'] as const;

export const apiKeysRouter = router({
  create: apiKeysProcedure
    .meta(
      operation(
        {
          method: 'POST',
          path: PATH,
          tags,
          action,
          summary: 'Create an API key for the organization',
          description:
            'The answer holds the key (`sk_…`), shown only this once; only an HMAC of it is kept. The key acts for the organization as an admin would, narrowed by its scopes, sent as `X-API-Key` or `Authorization: Bearer`. Scopes follow the rule of OAuth apps: `admin:all` needs a platform administrator, and an access token gives no scope it lacks.',
          successDescription: 'The key, shown only this once',
        },
        [...API_KEY_ERRORS, ...GRANT_ERRORS],
        201,
      ),
    )
    .input(createApiKeyInput)
    .output(createdApiKey)
    .mutation(async ({ ctx, input }) => {
      await requireGrantable(ctx, input.scopes);
      const creator = actorOf(ctx.principal);
      // The table lets no key make keys: a key always has a person or an app behind it.
      if (!creator || creator.type === 'api_key') throw new ApiError('API_KEY_REFUSED');
      const generated = ctx.services.apiKeys.generate();
      const key = await ctx.db.apiKeys.create(
        {
          organizationId: ctx.standing.organizationId,
          digest: generated.digest,
          prefix: generated.prefix,
          name: input.name,
          description: input.description ?? null,
          scopes: input.scopes,
          rateLimitPerMinute: input.rateLimitPerMinute ?? null,
          rateLimitPerHour: input.rateLimitPerHour ?? null,
          allowedIps: canonicalAllowedIps(input.allowedIps) ?? null,
          creator: { type: creator.type, id: creator.id },
          expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
        },
        holdFor(ctx.standing, action),
      );
      return { ...apiKeyView(key), key: generated.plaintext };
    }),

  list: apiKeysProcedure
    .meta(
      operation(
        {
          method: 'GET',
          path: PATH,
          tags,
          action,
          summary: 'The organization’s API keys, newest first, revoked and expired ones too',
          description:
            'Pages with `limit` and `after`; the next page’s URL is in the `Link` header (rel="next").',
        },
        [...API_KEY_ERRORS, 'BAD_CURSOR'],
        undefined,
        ['Link'],
      ),
    )
    .input(listApiKeysInput)
    .output(z.array(apiKey))
    .query(async ({ ctx, input }) => {
      const { organizationId } = ctx.standing;
      const cursor = input.after
        ? await ctx.db.apiKeys.byId(organizationId, input.after)
        : undefined;
      if (cursor === null) throw new ApiError('BAD_CURSOR');
      const rows = await ctx.db.apiKeys.page(organizationId, input.limit + 1, cursor);
      const path = `/api/organizations/${organizationId}/api-keys`;
      const page = pageOf(ctx, path, { limit: input.limit, rows, idOf: (key) => key.id });
      return page.map(apiKeyView);
    }),

  byId: apiKeyProcedure
    .meta(
      operation({ method: 'GET', path: ONE, tags, action, summary: 'One API key' }, [
        ...ONE_ERRORS,
      ]),
    )
    .input(apiKeyIdInput)
    .output(apiKey)
    .query(({ ctx }) => apiKeyView(ctx.key)),

  update: apiKeyProcedure
    .meta(
      operation(
        {
          method: 'PATCH',
          path: ONE,
          tags,
          action,
          summary: 'Change an API key’s name, description, scopes, limits or allowed addresses',
          description:
            'Absent fields stay as they are; `null` (or "") clears `description` and the limits, and `allowedIps: []` allows every address. Changes hold from the next request, on every process. A revoked key no longer changes; a key holding `admin:all` changes only by a platform administrator (owners and admins may revoke it).',
        },
        [...ONE_ERRORS, ...GRANT_ERRORS, 'API_KEY_REVOKED', 'PLATFORM_KEY_LOCKED'],
      ),
    )
    .input(updateApiKeyInput)
    .output(apiKey)
    .mutation(async ({ ctx, input }) => {
      const allow = async (current: ApiKey) => {
        if (current.revokedAt) throw new ApiError('API_KEY_REVOKED');
        await requireMayChangeKey(ctx, current);
        if (input.scopes) await requireGrantable(ctx, input.scopes, current.scopes);
      };
      await allow(ctx.key);
      const { name, description, scopes, rateLimitPerMinute, rateLimitPerHour } = input;
      const updated = await ctx.db.apiKeys.update(
        ctx.key,
        {
          name,
          description,
          scopes,
          rateLimitPerMinute,
          rateLimitPerHour,
          allowedIps: canonicalAllowedIps(input.allowedIps),
        },
        { hold: holdFor(ctx.standing, action), allow },
      );
      return apiKeyView(updated);
    }),

  revoke: apiKeyProcedure
    .meta(
      operation(
        {
          method: 'DELETE',
          path: ONE,
          tags,
          action,
          summary: 'Revoke an API key: it stops working at once, on every process',
          description: 'The key stays listed, as revoked. Revoking it again changes nothing.',
          successDescription: 'Revoked',
        },
        [...ONE_ERRORS],
        204,
      ),
    )
    .input(apiKeyIdInput)
    .output(z.void())
    .mutation(async ({ ctx }) => {
      await ctx.db.apiKeys.revoke(ctx.key, holdFor(ctx.standing, action));
    }),

  validate: publicProcedure
    .meta({
      ...operation(
        {
          method: 'POST',
          path: '/api-keys/validate',
          tags,
          summary: 'Check an API key sent as X-API-Key (or as a bearer token)',
          description:
            'A live key answers `valid: true` with what it is; any other key (unknown, mistyped, revoked, expired, its creator gone) answers 200 with only `{"valid": false}`, as token introspection does (RFC 7662). Failed checks count against the address’s limit of failed authentications; a key used from an address it does not allow answers 403, and a key past its own limits 429, as on any route.',
        },
        ['API_KEY_REQUIRED', 'API_KEY_ADDRESS_NOT_ALLOWED', 'RATE_LIMITED'],
      ),
      checksApiKey: true,
    })
    .input(z.void())
    .output(apiKeyValidation)
    .mutation(async ({ ctx }) => {
      const { principal, services } = ctx;
      const presented =
        principal.kind === 'api_key' ||
        (principal.kind === 'anonymous' && principal.rejected === 'api_key');
      if (!presented) throw new ApiError('API_KEY_REQUIRED');
      // Counted before the answer, so a flood of guesses can't slip past; a live key gives back.
      const { limits } = services;
      const attempt = await limits.attempt([limits.rules.authFailuresPerIp, ctx.ip]);
      if (principal.kind !== 'api_key') return { valid: false as const };
      await attempt.succeeded();
      await services.apiKeys.admit(principal, ctx.ip);
      const key = await ctx.db.apiKeys.byId(principal.organizationId, principal.keyId);
      if (!key) return { valid: false as const }; // its organization deleted meanwhile
      return {
        valid: true as const,
        keyId: key.id,
        name: key.name,
        organizationId: key.organization.id,
        scopes: key.scopes,
        expiresAt: key.expiresAt?.toISOString() ?? null,
        status: 'active' as const,
      };
    }),
});
