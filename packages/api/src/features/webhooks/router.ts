import {
  createdWebhook,
  createWebhookInput,
  organizationIdInput,
  rotatedWebhookSecret,
  testDelivery,
  updateWebhookInput,
  webhook,
  webhookDelivery,
  webhookIdInput,
} from '@timbrix/shared/schemas';
import { z } from 'zod';
import { holdFor } from '../../standing.js';
import { operation, router } from '../../trpc.js';
import {
  requireDeliverableUrl,
  WEBHOOK_ERRORS,
  webhookProcedure,
  webhooksProcedure,
} from './procedure.js';
import { newWebhookSecret } from './secrets.js';
import { deliveryView, webhookView } from './view.js';

const PATH = '/organizations/{organizationId}/webhooks';
const ONE = `${PATH}/{webhookId}`;
const tags = ['webhooks'];
const ONE_ERRORS = [...WEBHOOK_ERRORS, 'WEBHOOK_NOT_FOUND'] as const;

export const webhooksRouter = router({
  create: webhooksProcedure('webhooks:manage')
    .meta(
      operation(
        {
          method: 'POST',
          path: PATH,
          tags,
          action: 'webhooks:manage',
          summary: 'Subscribe a URL to the organization’s events',
          description:
            'The answer holds the signing secret (`whsec_…`), shown only this once. Every delivery is a POST signed the Standard Webhooks way (`Webhook-Id`, `Webhook-Timestamp`, `Webhook-Signature`) and with `X-Webhook-Signature: sha256=<hex HMAC of the body>`.',
          successDescription: 'The webhook, with its secret (shown only this once)',
        },
        [...WEBHOOK_ERRORS, 'WEBHOOK_URL_NOT_ALLOWED'],
        201,
      ),
    )
    .input(createWebhookInput)
    .output(createdWebhook)
    .mutation(async ({ ctx, input }) => {
      const { config, webhookSecrets } = ctx.services;
      requireDeliverableUrl(input.url, config.webhooks.allowPrivateNetworks);
      const secret = newWebhookSecret();
      const created = await ctx.db.webhooks.create(
        {
          organizationId: ctx.standing.organizationId,
          url: input.url,
          events: input.events,
          description: input.description ?? null,
          seal: (id) => webhookSecrets.seal(secret, id),
        },
        holdFor(ctx.standing, 'webhooks:manage'),
      );
      return { ...webhookView(created), secret };
    }),

  list: webhooksProcedure('webhooks:read')
    .meta(
      operation(
        {
          method: 'GET',
          path: PATH,
          tags,
          action: 'webhooks:read',
          summary: 'The organization’s webhooks, oldest first',
        },
        WEBHOOK_ERRORS,
      ),
    )
    .input(organizationIdInput)
    .output(z.array(webhook))
    .query(async ({ ctx }) =>
      (await ctx.db.webhooks.list(ctx.standing.organizationId)).map(webhookView),
    ),

  byId: webhookProcedure('webhooks:read')
    .meta(
      operation(
        { method: 'GET', path: ONE, tags, action: 'webhooks:read', summary: 'One webhook' },
        [...ONE_ERRORS],
      ),
    )
    .input(webhookIdInput)
    .output(webhook)
    .query(({ ctx }) => webhookView(ctx.webhook)),

  update: webhookProcedure('webhooks:manage')
    .meta(
      operation(
        {
          method: 'PUT',
          path: ONE,
          tags,
          action: 'webhooks:manage',
          summary: 'Change a webhook’s URL, events, description, or turn it off and on',
          description:
            'Absent fields stay as they are. Turning a webhook back on (`isActive: true`) forgets its failures.',
        },
        [...ONE_ERRORS, 'WEBHOOK_URL_NOT_ALLOWED'],
      ),
    )
    .input(updateWebhookInput)
    .output(webhook)
    .mutation(async ({ ctx, input }) => {
      requireDeliverableUrl(input.url, ctx.services.config.webhooks.allowPrivateNetworks);
      const { url, events, description, isActive } = input;
      const updated = await ctx.db.webhooks.update(
        ctx.webhook,
        { url, events, description, isActive },
        holdFor(ctx.standing, 'webhooks:manage'),
      );
      return webhookView(updated);
    }),

  delete: webhookProcedure('webhooks:manage')
    .meta(
      operation(
        {
          method: 'DELETE',
          path: ONE,
          tags,
          action: 'webhooks:manage',
          summary: 'Delete a webhook, its deliveries and those still queued',
          successDescription: 'Deleted',
        },
        [...ONE_ERRORS],
        204,
      ),
    )
    .input(webhookIdInput)
    .output(z.void())
    .mutation(async ({ ctx }) => {
      await ctx.db.webhooks.delete(ctx.webhook, holdFor(ctx.standing, 'webhooks:manage'));
    }),

  rotateSecret: webhookProcedure('webhooks:manage')
    .meta(
      operation(
        {
          method: 'POST',
          path: `${ONE}/secret`,
          tags,
          action: 'webhooks:manage',
          summary:
            'Issue a new signing secret; the previous one keeps signing beside it for a while',
          description:
            'Until `previousSecretExpiresAt` (24 hours by default), every delivery carries two `v1,` signatures in `Webhook-Signature`: one with each secret. A rotation while one is still in its grace period ends that one at once.',
          successDescription: 'The new secret, shown only this once',
        },
        [...ONE_ERRORS],
        201,
      ),
    )
    .input(webhookIdInput)
    .output(rotatedWebhookSecret)
    .mutation(async ({ ctx }) => {
      const { webhookSecrets, config } = ctx.services;
      const secret = newWebhookSecret();
      const until = new Date(Date.now() + config.webhooks.secretGraceSeconds * 1000);
      const sealed = webhookSecrets.seal(secret, ctx.webhook.id);
      await ctx.db.webhooks.rotateSecret(
        ctx.webhook,
        sealed,
        until,
        holdFor(ctx.standing, 'webhooks:manage'),
      );
      return { secret, previousSecretExpiresAt: until.toISOString() };
    }),

  test: webhookProcedure('webhooks:manage')
    .meta(
      operation(
        {
          method: 'POST',
          path: `${ONE}/test`,
          tags,
          action: 'webhooks:manage',
          summary: 'Send this webhook a `webhook.test` event',
          description:
            'Queued like any delivery (also to a webhook that is turned off); its result shows in the deliveries. An empty body is fine.',
          successDescription: 'Queued',
        },
        [...ONE_ERRORS],
        202,
      ),
    )
    .input(webhookIdInput)
    .output(testDelivery)
    .mutation(({ ctx }) =>
      ctx.db.webhooks.test(ctx.webhook, holdFor(ctx.standing, 'webhooks:manage')),
    ),

  deliveries: webhookProcedure('webhooks:read')
    .meta(
      operation(
        {
          method: 'GET',
          path: `${ONE}/deliveries`,
          tags,
          action: 'webhooks:read',
          summary: 'The webhook’s last 100 deliveries, newest first',
        },
        [...ONE_ERRORS],
      ),
    )
    .input(webhookIdInput)
    .output(z.array(webhookDelivery))
    .query(async ({ ctx }) => (await ctx.db.webhooks.deliveries(ctx.webhook)).map(deliveryView)),
});
