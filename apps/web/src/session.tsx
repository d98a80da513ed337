import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { activeOrganization, api, errorCode } from './api.js';
import { Failure, Loading } from './components/Status.js';

export const ME = ['users.me'] as const;

/** The signed-in person, with their organizations. */
export const useMe = () => useQuery({ queryKey: ME, queryFn: () => api.users.me.query() });

export type Me = NonNullable<ReturnType<typeof useMe>['data']>;
/** One of the person's organizations, with their role in it. */
export type MyOrganization = Me['organizations'][number];

/** The organization the person works in: the one chosen, if still theirs, else the first. */
export function currentOrganization(me: Me) {
  const chosen = me.organizations.find((org) => org.id === activeOrganization.get());
  return chosen ?? me.organizations[0];
}

/** Shows `children` to a signed-in person; anyone else goes to sign in, and comes back. */
export function RequireSignIn({ children }: { children: (me: Me) => ReactNode }) {
  const location = useLocation();
  const me = useMe();
  if (me.isPending) return <Loading what="your account" />;
  if (me.isError) {
    if (errorCode(me.error) === 'UNAUTHORIZED') {
      const next = encodeURIComponent(location.pathname + location.search);
      return <Navigate to={`/sign-in?next=${next}`} replace />;
    }
    return <Failure error={me.error} retry={() => me.refetch()} />;
  }
  return <>{children(me.data)}</>;
}
