import { useMutation, useQueryClient } from '@tanstack/react-query';
import { updateMeInput } from '@timbrix/shared/schemas';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api.js';
import { Field } from '../components/Field.js';
import { FormError } from '../components/Status.js';
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
