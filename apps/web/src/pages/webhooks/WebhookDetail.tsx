import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { updateWebhookInput } from '@timbrix/shared/schemas';
import { type FormEvent, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api } from '../../api.js';
import { Dialog } from '../../components/Dialog.js';
import { Field } from '../../components/Field.js';
import { Failure, FormError, Loading } from '../../components/Status.js';
import { type FieldErrors, validate } from '../../forms.js';
import { Deliveries, deliveriesKey } from './Deliveries.js';
import { EventChoice, webhookFormValues } from './EventChoice.js';
import { WebhookSecretDialog } from './WebhookSecretDialog.js';
import { WebhookState } from './WebhookState.js';

type Rotated = Awaited<ReturnType<typeof api.webhooks.rotateSecret.mutate>>;
type Changes = Omit<
  Parameters<typeof api.webhooks.update.mutate>[0],
  'organizationId' | 'webhookId'
>;

/** How long the previous secret keeps signing, from the answer, in words. */
function graceNote({ previousSecretExpiresAt }: Rotated) {
  const until = new Date(previousSecretExpiresAt);
  const hours = Math.round((until.getTime() - Date.now()) / 3_600_000);
  return `The previous secret keeps signing every delivery beside the new one for ${hours} hours, until ${until.toLocaleString()}: switch your receiver over before then.`;
}

export function WebhookDetail({ organizationId }: { organizationId: string }) {
  const { webhookId = '' } = useParams();
  const ids = { organizationId, webhookId };
  const navigate = useNavigate();
  const queries = useQueryClient();
  const key = ['webhooks.byId', webhookId];
  const webhook = useQuery({ queryKey: key, queryFn: () => api.webhooks.byId.query(ids) });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [rotated, setRotated] = useState<Rotated>();
  const [confirmDelete, setConfirmDelete] = useState(false);

  const update = useMutation({
    mutationFn: (changes: Changes) => api.webhooks.update.mutate({ ...ids, ...changes }),
    onSuccess: (updated) => {
      queries.setQueryData(key, updated);
      void queries.invalidateQueries({ queryKey: ['webhooks.list'] });
    },
  });
  const rotate = useMutation({
    gcTime: 0, // its answer holds the secret
    mutationFn: () => api.webhooks.rotateSecret.mutate(ids),
    onSuccess: setRotated,
  });
  const test = useMutation({
    mutationFn: () => api.webhooks.test.mutate(ids),
    onSuccess: () => queries.invalidateQueries({ queryKey: deliveriesKey(webhookId) }),
  });
  const remove = useMutation({
    mutationFn: () => api.webhooks.delete.mutate(ids),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: ['webhooks.list'] });
      navigate('/webhooks', { replace: true });
    },
  });

  if (webhook.isPending) return <Loading what="the webhook" />;
  if (webhook.isError) return <Failure error={webhook.error} retry={() => webhook.refetch()} />;
  const current = webhook.data;

  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = validate(updateWebhookInput, {
      ...ids,
      ...webhookFormValues(event.currentTarget),
    });
    setErrors(checked.errors ?? {});
    if (checked.data) update.mutate(checked.data);
  };

  return (
    <section className="stack">
      <div className="page-head">
        <h1 className="wrap">{current.url}</h1>
        <div>
          <WebhookState webhook={current} />
        </div>
      </div>
      {current.description && <p>{current.description}</p>}

      <form onSubmit={save} noValidate className="card wide" aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        <Field label="URL" name="url" type="url" defaultValue={current.url} error={errors.url} />
        <Field
          label="Description (optional)"
          name="description"
          defaultValue={current.description ?? ''}
          error={errors.description}
        />
        <EventChoice chosen={current.events} error={errors.events} />
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
            {current.isActive ? 'Turn off' : 'Turn back on'}
          </button>
        </div>
        {!current.isActive && (
          <p className="hint">
            Turned off, it receives no event (a test event still goes out). Turning it back on
            forgets its failures.
          </p>
        )}
      </form>

      <div className="card">
        <h2>Test event</h2>
        <p>
          Sends this webhook a <code>webhook.test</code> event, signed like any other; its result
          shows in the deliveries below.
        </p>
        <FormError error={test.error} />
        <p className="status" role="status">
          {test.isSuccess ? 'Test event queued. Its delivery shows below.' : ''}
        </p>
        <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>
          Send a test event
        </button>
      </div>

      <div className="card">
        <h2>Signing secret</h2>
        <p>
          A new secret replaces the current one. The previous secret keeps signing beside it, as a
          second <code>v1,</code> signature, for 24 hours, so your receiver can switch over.
        </p>
        <FormError error={rotate.error} />
        <button type="button" onClick={() => rotate.mutate()} disabled={rotate.isPending}>
          Rotate the secret
        </button>
      </div>

      <Deliveries organizationId={organizationId} webhookId={webhookId} />

      <div className="card">
        <h2>Delete</h2>
        <p>Deleting the webhook ends its deliveries, also those still queued, at once.</p>
        <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
          Delete this webhook
        </button>
      </div>

      {rotated && (
        <WebhookSecretDialog
          secret={rotated.secret}
          note={graceNote(rotated)}
          onClose={() => {
            setRotated(undefined);
            rotate.reset();
          }}
        />
      )}
      {confirmDelete && (
        <Dialog title="Delete this webhook?" onClose={() => setConfirmDelete(false)}>
          <p>
            <code className="secret">{current.url}</code> gets no more events, and its delivery log
            goes with it. This cannot be undone.
          </p>
          <FormError error={remove.error} />
          <div className="actions">
            <button
              type="button"
              className="danger"
              disabled={remove.isPending}
              onClick={() => remove.mutate()}
            >
              Delete the webhook
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
