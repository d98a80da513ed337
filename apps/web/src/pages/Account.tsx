import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { updateMeInput } from '@timbrix/shared/schemas';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api.js';
import { Dialog } from '../components/Dialog.js';
import { Field } from '../components/Field.js';
import { Failure, FormError, Loading } from '../components/Status.js';
import { Table } from '../components/Table.js';
import { type FieldErrors, fieldsOf, validate } from '../forms.js';
import { ME, type Me } from '../session.js';

type Update = Parameters<typeof api.users.updateMe.mutate>[0];

/** One form of the account page: checked by the server's schema, sent as an update of `me`. */
function useUpdate(done: string) {
  const queries = useQueryClient();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saved, setSaved] = useState<string>();
  const update = useMutation({
    gcTime: 0, // its input may hold passwords
    mutationFn: (input: Update) => api.users.updateMe.mutate(input),
    onSuccess: (me) => {
      queries.setQueryData(ME, me);
      setSaved(done);
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const checked = validate(updateMeInput, fieldsOf(form));
    setErrors(checked.errors ?? {});
    setSaved(undefined);
    if (checked.data) update.mutate(checked.data, { onSuccess: () => form.reset() });
  };
  return { update, errors, saved, submit };
}

export function Account({ me }: { me: Me }) {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const name = useUpdate('Your name is saved.');
  const password = useUpdate('Your password is changed; your other sessions are signed out.');
  const everywhere = useMutation({
    mutationFn: () => api.auth.logoutAll.mutate(),
    onSuccess: () => {
      queries.clear();
      navigate('/sign-in', { replace: true });
    },
  });

  return (
    <section className="stack">
      <h1>Your account</h1>
      <p>
        Signed in as <strong>{me.email}</strong>
      </p>

      <form onSubmit={name.submit} noValidate className="card" aria-labelledby="name-title">
        <h2 id="name-title">Profile</h2>
        <Field label="Name" name="name" defaultValue={me.name ?? ''} error={name.errors.name} />
        <FormError error={name.update.error} />
        {name.saved && <p role="status">{name.saved}</p>}
        <button type="submit" disabled={name.update.isPending}>
          Save name
        </button>
      </form>

      <form onSubmit={password.submit} noValidate className="card" aria-labelledby="pw-title">
        <h2 id="pw-title">Password</h2>
        <Field
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          error={password.errors.currentPassword}
        />
        <Field
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          hint="At least 8 characters"
          error={password.errors.newPassword}
        />
        <FormError error={password.update.error} />
        {password.saved && <p role="status">{password.saved}</p>}
        <button type="submit" disabled={password.update.isPending}>
          Change password
        </button>
      </form>

      <AuthorizedApps />

      <div className="card">
        <h2>Sessions</h2>
        <p>Signs you out on every device and browser, this one included.</p>
        <FormError error={everywhere.error} />
        <button
          type="button"
          className="danger"
          onClick={() => everywhere.mutate()}
          disabled={everywhere.isPending}
        >
          Sign out everywhere
        </button>
      </div>
    </section>
  );
}

type AuthorizedApp = Awaited<ReturnType<typeof api.authorizations.list.query>>[number];

const AUTHORIZATIONS = ['authorizations.list'] as const;

/** The apps the person let act for them, each revocable (with everything it was given). */
function AuthorizedApps() {
  const queries = useQueryClient();
  const apps = useQuery({
    queryKey: AUTHORIZATIONS,
    queryFn: () => api.authorizations.list.query(),
  });
  const [revoking, setRevoking] = useState<AuthorizedApp>();
  const revoke = useMutation({
    mutationFn: (app: AuthorizedApp) =>
      api.authorizations.revoke.mutate({ clientId: app.clientId }),
    onSuccess: async () => {
      setRevoking(undefined);
      await queries.invalidateQueries({ queryKey: AUTHORIZATIONS });
    },
  });
  const close = () => {
    setRevoking(undefined);
    revoke.reset();
  };

  return (
    <div className="card">
      <h2>Authorized apps</h2>
      <p>Apps you allowed to act for you. Revoking one ends its access at once.</p>
      {apps.isPending && <Loading what="your authorized apps" />}
      {apps.isError && <Failure error={apps.error} retry={() => apps.refetch()} />}
      {apps.data?.length === 0 && <p className="status">You have not authorized any app.</p>}
      {apps.data && apps.data.length > 0 && (
        <Table
          columns={[
            'App',
            'Organization',
            'Scopes',
            'Authorized',
            'Last used',
            { hidden: 'Actions' },
          ]}
        >
          {apps.data.map((app) => (
            <tr key={app.clientId}>
              <td>{app.appName}</td>
              <td>{app.organization.name}</td>
              <td>{app.scopes.join(', ')}</td>
              <td>{new Date(app.authorizedAt).toLocaleDateString()}</td>
              <td>{app.lastUsedAt ? new Date(app.lastUsedAt).toLocaleString() : 'never'}</td>
              <td>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => setRevoking(app)}
                  aria-label={`Revoke ${app.appName}`}
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </Table>
      )}
      {revoking && (
        <Dialog title={`Revoke ${revoking.appName}?`} onClose={close}>
          <p>
            {revoking.appName} can no longer act for you: every token it holds for you stops working
            at once. To use it again, you would have to authorize it again.
          </p>
          <FormError error={revoke.error} />
          <div className="actions">
            <button
              type="button"
              className="danger"
              onClick={() => revoke.mutate(revoking)}
              disabled={revoke.isPending}
            >
              Revoke access
            </button>
            <button type="button" className="secondary" onClick={close}>
              Cancel
            </button>
          </div>
        </Dialog>
      )}
    </div>
  );
}
