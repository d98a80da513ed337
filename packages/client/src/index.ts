import type { AppRouter } from '@timbrix/api';
import { DEFAULT_MAX_BATCH_CALLS } from '@timbrix/shared/limits';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';

export interface TimbrixClientOptions {
  /** The server's origin, e.g. `http://localhost:3001`; `''` for the page's own origin. */
  url: string;
  /**
   * A session token from `auth.login`, an access token or an API key (`sk_…`), all sent as
   * `Authorization: Bearer`; or a function that returns the current one.
   */
  token?: string | (() => string | undefined);
  /** The organization to act in (sent as `X-Organization-Id`), or a function that returns it. */
  organizationId?: string | (() => string | undefined);
  /** Another fetch, e.g. for tests or for runtimes without a global one. */
  fetch?: typeof fetch;
  /** Calls per batched request: at most what the server takes (TRPC_MAX_BATCH_CALLS). */
  maxBatchCalls?: number;
}

const current = (value: string | (() => string | undefined) | undefined) =>
  typeof value === 'function' ? value() : value;

/**
 * A typed client for the Timbrix API over tRPC. Inputs and outputs are the shared zod
 * schemas' types; dates arrive as ISO 8601 strings.
 */
export function createTimbrixClient(options: TimbrixClientOptions) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${options.url.replace(/\/+$/, '')}/trpc`,
        fetch: options.fetch,
        // The server refuses bigger batches; more calls at once go as several requests.
        maxItems: options.maxBatchCalls ?? DEFAULT_MAX_BATCH_CALLS,
        headers() {
          const token = current(options.token);
          const organizationId = current(options.organizationId);
          return {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(organizationId ? { 'x-organization-id': organizationId } : {}),
          };
        },
      }),
    ],
  });
}

export type TimbrixClient = ReturnType<typeof createTimbrixClient>;
export type { AppRouter };

/** Narrows an unknown error to one the Timbrix API answered with. */
export function isTimbrixError(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError;
}

export {
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookHeaders,
  type WebhookPayload,
  WebhookVerificationError,
} from './webhooks.js';
