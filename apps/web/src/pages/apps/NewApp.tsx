import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createOAuthAppInput, redirectUriSchema } from '@timbrix/shared/schemas';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api.js';
import { Field } from '../../components/Field.js';
import { SecretDialog } from '../../components/SecretDialog.js';
import { FormError } from '../../components/Status.js';
import { type FieldErrors, validate } from '../../forms.js';
import type { Me } from '../../session.js';
import { appFormValues, ScopeChoice } from './ScopeChoice.js';

type Created = Awaited<ReturnType<typeof api.oauthApps.create.mutate>>;

export function NewApp({ me }: { me: Me }) {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [errors, setErrors] = useState<FieldErrors>({});
  // The secret lives here and nowhere else: gone when the dialog closes.
  const [created, setCreated] = useState<Created>();
  const create = useMutation({
    gcTime: 0, // its answer holds the secret
    mutationFn: (input: Parameters<typeof api.oauthApps.create.mutate>[0]) =>
      api.oauthApps.create.mutate(input),
    onSuccess: (app) => {
      void queries.invalidateQueries({ queryKey: ['oauthApps.list'] });
      setCreated(app);
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = validate(createOAuthAppInput, appFormValues(event.currentTarget));
    setErrors(checked.errors ?? {});
    if (checked.data) create.mutate(checked.data);
  };
  // The redirect URI is judged by the server's own rule when it is left, and again as it is
  // corrected (so the message goes as soon as it is right, not when the next click lands).
  const checkRedirect = (value: string) => {
    const result = value ? redirectUriSchema.safeParse(value) : undefined;
    setErrors(({ redirectUri: _, ...rest }) =>
      result && !result.success ? { ...rest, redirectUri: result.error.issues[0]!.message } : rest,
    );
  };

  return (
    <section>
      <h1>Register an OAuth app</h1>
      <form onSubmit={submit} noValidate className="card">
        <Field label="Name" name="name" error={errors.name} />
        <Field label="Description (optional)" name="description" error={errors.description} />
        <Field
          label="Redirect URI (optional)"
          name="redirectUri"
          hint="https, or http on localhost; where people are sent back after authorizing"
          error={errors.redirectUri}
          onBlur={(event) => checkRedirect(event.currentTarget.value)}
          onChange={(event) => errors.redirectUri && checkRedirect(event.currentTarget.value)}
        />
        <ScopeChoice platformAdmin={me.isPlatformAdmin} error={errors.scopes} />
        <FormError error={create.error} />
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Registering…' : 'Register app'}
        </button>
      </form>
      {created && (
        <SecretDialog
          clientId={created.clientId}
          secret={created.clientSecret}
          onClose={() => {
            setCreated(undefined);
            create.reset();
            navigate(`/apps/${created.clientId}`);
          }}
        />
      )}
    </section>
  );
}
