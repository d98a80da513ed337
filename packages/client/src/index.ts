import type { AppRouter } from '@timbrix/server';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';

export interface TimbrixClientOptions {
  /** The server's origin, e.g. `http://localhost:3001`. */
  url: string;
  /** A session token from `auth.login`, or a function that returns the current one. */
  token?: string | (() => string | undefined);
  /** The organization to act in (sent as `X-Organization-Id`). */
  organizationId?: string;
  /** Another fetch, e.g. for tests or for runtimes without a global one. */
  fetch?: typeof fetch;
}

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
        headers() {
          const token = typeof options.token === 'function' ? options.token() : options.token;
          return {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(options.organizationId ? { 'x-organization-id': options.organizationId } : {}),
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
