import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createWebhookInput } from '@timbrix/shared/schemas';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api.js';
import { Field } from '../../components/Field.js';
import { FormError } from '../../components/Status.js';
import { type FieldErrors, validate } from '../../forms.js';
import { EventChoice, webhookFormValues } from './EventChoice.js';
import { WebhookSecretDialog } from './WebhookSecretDialog.js';

type Created = Awaited<ReturnType<typeof api.webhooks.create.mutate>>;

export function NewWebhook({ organizationId }: { organizationId: string }) {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [errors, setErrors] = useState<FieldErrors>({});
  // The secret lives here and nowhere else: gone when the dialog closes.
  const [created, setCreated] = useState<Created>();
  const create = useMutation({
    gcTime: 0, // its answer holds the secret
    mutationFn: (input: Parameters<typeof api.webhooks.create.mutate>[0]) =>
      api.webhooks.create.mutate(input),
    onSuccess: (webhook) => {
      void queries.invalidateQueries({ queryKey: ['webhooks.list'] });
      setCreated(webhook);
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = validate(createWebhookInput, {
      organizationId,
      ...webhookFormValues(event.currentTarget),
    });
    setErrors(checked.errors ?? {});
    if (checked.data) create.mutate(checked.data);
  };

  return (
    <section>
      <h1>Add a webhook</h1>
      <form onSubmit={submit} noValidate className="card wide">
        <Field
          label="URL"
          name="url"
          type="url"
          hint="An https address that answers a POST with a 2xx status"
          error={errors.url}
        />
        <Field label="Description (optional)" name="description" error={errors.description} />
        <EventChoice error={errors.events} />
        <FormError error={create.error} />
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add webhook'}
        </button>
      </form>
      {created && (
        <WebhookSecretDialog
          secret={created.secret}
          onClose={() => {
            setCreated(undefined);
            create.reset();
            navigate(`/webhooks/${created.id}`);
          }}
        />
      )}
    </section>
  );
}
