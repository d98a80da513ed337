import { createTimbrixClient, isTimbrixError } from '@timbrix/client';
import { DEFAULT_MAX_BATCH_CALLS } from '@timbrix/shared/limits';

const ORGANIZATION_KEY = 'timbrix.organization';

/** The organization the person works in now: chosen in the switcher, kept per browser. */
export const activeOrganization = {
  get: () => localStorage.getItem(ORGANIZATION_KEY) ?? undefined,
  set: (id: string | undefined) =>
    id ? localStorage.setItem(ORGANIZATION_KEY, id) : localStorage.removeItem(ORGANIZATION_KEY),
};

/**
 * The API, typed end to end, on this page's own origin: the session rides in the HttpOnly
 * cookie that `auth.signIn` set, so no token is ever in reach of the page's scripts. Batches
 * stay within the server's cap.
 */
export const api = createTimbrixClient({
  url: '',
  organizationId: activeOrganization.get,
  maxBatchCalls: DEFAULT_MAX_BATCH_CALLS,
});

/** The tRPC code of an API error (`UNAUTHORIZED`, `FORBIDDEN`, ...), if it is one. */
export const errorCode = (error: unknown) =>
  isTimbrixError(error) ? (error.data?.code as string | undefined) : undefined;

/** What to tell the person about a failed call. */
export function messageOf(error: unknown): string {
  if (isTimbrixError(error)) return error.message;
  return 'The console could not reach the server. Check your connection and try again.';
}
