import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useParams } from 'react-router';
import { api, errorCode } from '../api.js';
import { Failure, FormError, Loading } from '../components/Status.js';
import type { Me } from '../session.js';

type Opened = Awaited<ReturnType<typeof api.authorizations.open.mutate>>;
type Prompt = Extract<Opened, { status: 'consent' }>;

/**
 * The consent screen an app's authorization request leads to (`/authorize/<requestId>`): what
 * the app asks to do for the signed-in person, and their answer. Either answer sends the
 * browser back to the app.
 */
export function Authorize({ me }: { me: Me }) {
  const { requestId = '' } = useParams();
  // Opening issues a new one-time value for the answer (the previous one stops counting), so
  // it runs once per page: a query that is never stale, refetched, retried or kept.
  const request = useQuery({
    queryKey: ['authorizations.open', requestId],
    queryFn: () => api.authorizations.open.mutate({ requestId }),
    retry: false,
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
  const redirectTo = request.data?.status === 'redirect' ? request.data.redirectTo : undefined;
  useEffect(() => {
    // Nothing to ask (agreed before, or not the person's to answer): straight back to the app.
    if (redirectTo) window.location.assign(redirectTo);
  }, [redirectTo]);

  return (
    <main className="auth-page consent">
      <p className="consent-brand">Timbrix</p>
      {request.isPending && (
        <>
          <h1>Authorize an app</h1>
          <Loading what="the app’s request" />
        </>
      )}
      {request.isError && (
        <>
          <h1>This request cannot be answered</h1>
          <Failure
            error={request.error}
            // The server's answers do not change when asked again; a lost connection might.
            retry={errorCode(request.error) === undefined ? () => request.refetch() : undefined}
          />
        </>
      )}
      {redirectTo && (
        <>
          <h1>Authorize an app</h1>
          <p className="status" role="status">
            Taking you back to the app…
          </p>
        </>
      )}
      {request.data?.status === 'consent' && (
        <Consent me={me} requestId={requestId} prompt={request.data} />
      )}
    </main>
  );
}

function Consent({ me, requestId, prompt }: { me: Me; requestId: string; prompt: Prompt }) {
  const { app, organization, redirectHost, scopes, decisionToken } = prompt;
  const decide = useMutation({
    mutationFn: (approve: boolean) =>
      api.authorizations.decide.mutate({ requestId, decisionToken, approve }),
    onSuccess: ({ redirectTo }) => window.location.assign(redirectTo),
  });
  // Answered (the browser is on its way), or refused by the server: asking again changes
  // nothing. A call that never reached the server may be tried again.
  const done = decide.isSuccess || (decide.isError && errorCode(decide.error) !== undefined);
  const busy = decide.isPending || done;

  return (
    <>
      <h1>Authorize {app.name}</h1>
      <div className="card">
        <p>
          <strong>{app.name}</strong>, an app of <strong>{organization.name}</strong>, asks to act
          for you in {organization.name}, and only there.
        </p>
        {app.description && <p className="consent-description">{app.description}</p>}
        <h2>It will be able to</h2>
        <ul className="consent-scopes">
          {scopes.map(({ scope, description }) => (
            <li key={scope}>
              {description}
              <br />
              <code className="hint">{scope}</code>
            </li>
          ))}
        </ul>
        <p>
          Whichever you choose, Timbrix will send you back to <strong>{redirectHost}</strong>.
        </p>
        <p className="hint">
          Signed in as <strong>{me.email}</strong>. You can revoke the app’s access at any time from
          your account page.
        </p>
        <FormError error={decide.error} />
        <div className="actions">
          <button type="button" onClick={() => decide.mutate(true)} disabled={busy}>
            Approve
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => decide.mutate(false)}
            disabled={busy}
          >
            Deny
          </button>
        </div>
        {decide.isSuccess && (
          <p className="status" role="status">
            Taking you back to {redirectHost}…
          </p>
        )}
      </div>
    </>
  );
}
