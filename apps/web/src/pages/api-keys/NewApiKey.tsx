import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createApiKeyInput } from '@timbrix/shared/schemas';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api.js';
import { Field } from '../../components/Field.js';
import { ShownOnceDialog } from '../../components/SecretDialog.js';
import { FormError } from '../../components/Status.js';
import { type FieldErrors, validate } from '../../forms.js';
import type { Me } from '../../session.js';
import { ScopeChoice } from '../apps/ScopeChoice.js';
import { apiKeyFormValues, KeyPrefix, LimitFields } from './ApiKeyFields.js';

type Created = Awaited<ReturnType<typeof api.apiKeys.create.mutate>>;

/** A date's field (`YYYY-MM-DD`, local) as the ISO time the key stops working: that day's end. */
const endOfDay = (date: string) => {
  if (!date) return undefined;
  const time = new Date(`${date}T23:59:59.999`);
  return Number.isNaN(time.getTime()) ? date : time.toISOString();
};

/** Today, as a date field's value, in the person's own time zone. */
const today = () => {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
};

interface NewApiKeyProps {
  organizationId: string;
  me: Me;
}

export function NewApiKey({ organizationId, me }: NewApiKeyProps) {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [errors, setErrors] = useState<FieldErrors>({});
  // The key lives here and nowhere else: gone when the dialog closes.
  const [created, setCreated] = useState<Created>();
  const create = useMutation({
    gcTime: 0, // its answer holds the key
    mutationFn: (input: Parameters<typeof api.apiKeys.create.mutate>[0]) =>
      api.apiKeys.create.mutate(input),
    onSuccess: (key) => {
      void queries.invalidateQueries({ queryKey: ['apiKeys.list'] });
      setCreated(key);
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const values = apiKeyFormValues(event.currentTarget);
    const expiresAt = new FormData(event.currentTarget).get('expiresAt');
    const checked = validate(createApiKeyInput, {
      organizationId,
      ...values,
      allowedIps: values.allowedIps.length > 0 ? values.allowedIps : undefined,
      expiresAt: endOfDay(String(expiresAt ?? '')),
    });
    setErrors(checked.errors ?? {});
    if (checked.data) create.mutate(checked.data);
  };

  return (
    <section>
      <h1>New API key</h1>
      <p>
        A key acts for the organization as an admin would, narrowed by its scopes, for software that
        has no person behind it. It never creates keys itself.
      </p>
      <form onSubmit={submit} noValidate className="card wide">
        <Field label="Name" name="name" autoComplete="off" error={errors.name} />
        <Field label="Description (optional)" name="description" error={errors.description} />
        <ScopeChoice
          platformAdmin={me.isPlatformAdmin}
          chosen={['read:user']}
          error={errors.scopes}
        />
        <LimitFields errors={errors} />
        <Field
          label="Expires (optional)"
          name="expiresAt"
          type="date"
          min={today()}
          hint="The key stops working at the end of this day, your time. Blank: it never expires."
          error={errors.expiresAt}
        />
        <FormError error={create.error} />
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create API key'}
        </button>
      </form>
      {created && (
        <ShownOnceDialog
          title="Your API key"
          label="API key"
          secret={created.key}
          kept="Timbrix keeps only a keyed hash of it"
          facts={
            <>
              <dt>Name</dt>
              <dd>{created.name}</dd>
              <dt>Listed as</dt>
              <dd>
                <KeyPrefix prefix={created.prefix} />
              </dd>
            </>
          }
          note="Send it as the X-API-Key header (or as a bearer token)."
          testId="api-key"
          onClose={() => {
            setCreated(undefined);
            create.reset();
            navigate(`/api-keys/${created.id}`);
          }}
        />
      )}
    </section>
  );
}
