import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { updateOAuthAppInput } from '@timbrix/shared/schemas';
import { type FormEvent, useId, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api } from '../../api.js';
import { Dialog } from '../../components/Dialog.js';
import { Field } from '../../components/Field.js';
import { SecretDialog } from '../../components/SecretDialog.js';
import { Failure, FormError, Loading } from '../../components/Status.js';
import { type FieldErrors, validate } from '../../forms.js';
import type { Me } from '../../session.js';
import { AppTokens } from './AppTokens.js';
import { appFormValues, ScopeChoice } from './ScopeChoice.js';

type Rotated = Awaited<ReturnType<typeof api.oauthApps.rotateSecret.mutate>>;
type Changes = Omit<Parameters<typeof api.oauthApps.update.mutate>[0], 'clientId'>;

const GRACE = [
  { label: 'at once', seconds: 0 },
  { label: 'in an hour', seconds: 3600 },
  { label: 'in a day', seconds: 86_400 },
  { label: 'in a week', seconds: 604_800 },
];

export function AppDetail({ me }: { me: Me }) {
  const { clientId = '' } = useParams();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const graceId = useId();
  const key = ['oauthApps.byId', clientId];
  const app = useQuery({ queryKey: key, queryFn: () => api.oauthApps.byId.query({ clientId }) });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [rotated, setRotated] = useState<Rotated>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [grace, setGrace] = useState(86_400);

  const update = useMutation({
    mutationFn: (changes: Changes) => api.oauthApps.update.mutate({ clientId, ...changes }),
    onSuccess: (updated) => {
      queries.setQueryData(key, updated);
      void queries.invalidateQueries({ queryKey: ['oauthApps.list'] });
      void queries.invalidateQueries({ queryKey: ['tokens.list', clientId] });
    },
  });
  const rotate = useMutation({
    gcTime: 0, // its answer holds the secret
    mutationFn: () => api.oauthApps.rotateSecret.mutate({ clientId, graceSeconds: grace }),
    onSuccess: setRotated,
  });
  const remove = useMutation({
    mutationFn: () => api.oauthApps.delete.mutate({ clientId }),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: ['oauthApps.list'] });
      navigate('/apps', { replace: true });
    },
  });

  if (app.isPending) return <Loading what="the app" />;
  if (app.isError) return <Failure error={app.error} retry={() => app.refetch()} />;
  const current = app.data;

  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = validate(updateOAuthAppInput, {
      clientId,
      ...appFormValues(event.currentTarget),
    });
    setErrors(checked.errors ?? {});
    if (checked.data) update.mutate(checked.data);
  };

  return (
    <section className="stack">
      <div className="page-head">
        <h1>{current.name}</h1>
        <span className={current.isActive ? 'badge' : 'badge off'}>
          {current.isActive ? 'Active' : 'Deactivated'}
        </span>
      </div>
      <p>
        Client ID <code>{current.clientId}</code>
      </p>

      <form onSubmit={save} noValidate className="card" aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        <Field label="Name" name="name" defaultValue={current.name} error={errors.name} />
        <Field
          label="Description"
          name="description"
          defaultValue={current.description ?? ''}
          error={errors.description}
        />
        <Field
          label="Redirect URI"
          name="redirectUri"
          defaultValue={current.redirectUri ?? ''}
          error={errors.redirectUri}
        />
        <ScopeChoice
          platformAdmin={me.isPlatformAdmin}
          chosen={current.scopes}
          error={errors.scopes}
        />
        <FormError error={update.error} />
        {update.isSuccess && <p role="status">Saved.</p>}
        <div className="actions">
          <button type="submit" disabled={update.isPending}>
            Save changes
          </button>
          <button
            type="button"
            className="secondary"
            disabled={update.isPending}
            onClick={() => update.mutate({ isActive: !current.isActive })}
          >
            {current.isActive ? 'Deactivate' : 'Reactivate'}
          </button>
        </div>
      </form>

      <div className="card">
        <h2>Client secret</h2>
        <p>A new secret replaces the current one, which keeps working for the time you choose.</p>
        <div className="field">
          <label htmlFor={graceId}>The current secret stops working</label>
          <select id={graceId} value={grace} onChange={(e) => setGrace(Number(e.target.value))}>
            {GRACE.map((option) => (
              <option key={option.seconds} value={option.seconds}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <FormError error={rotate.error} />
        <button type="button" onClick={() => rotate.mutate()} disabled={rotate.isPending}>
          Rotate the secret
        </button>
      </div>

      <AppTokens clientId={clientId} />

      <div className="card">
        <h2>Delete</h2>
        <p>Deleting the app ends its secrets and every token it holds, at once.</p>
        <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
          Delete this app
        </button>
      </div>

      {rotated && (
        <SecretDialog
          clientId={rotated.clientId}
          secret={rotated.clientSecret}
          note={
            rotated.previousSecretExpiresAt
              ? `The previous secret stops working ${new Date(rotated.previousSecretExpiresAt).toLocaleString()}.`
              : undefined
          }
          onClose={() => {
            setRotated(undefined);
            rotate.reset();
          }}
        />
      )}
      {confirmDelete && (
        <Dialog title={`Delete ${current.name}?`} onClose={() => setConfirmDelete(false)}>
          <p>Its secrets and tokens stop working at once. This cannot be undone.</p>
          <FormError error={remove.error} />
          <div className="actions">
            <button type="button" className="danger" onClick={() => remove.mutate()}>
              Delete the app
            </button>
            <button type="button" className="secondary" onClick={() => setConfirmDelete(false)}>
              Keep it
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}
