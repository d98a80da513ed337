import { useMutation, useQueryClient } from '@tanstack/react-query';
import { registerInput } from '@timbrix/shared/schemas';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api.js';
import { Field } from '../components/Field.js';
import { FormError } from '../components/Status.js';
import { type FieldErrors, fieldsOf, validate } from '../forms.js';
import { ME } from '../session.js';
import { safeNext } from './SignIn.js';

export function SignUp() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [errors, setErrors] = useState<FieldErrors>({});
  const signUp = useMutation({
    gcTime: 0, // its input holds the password
    mutationFn: async (input: { email: string; password: string; name?: string | undefined }) => {
      await api.auth.register.mutate(input);
      await api.auth.signIn.mutate({ email: input.email, password: input.password });
    },
    onSuccess: async () => {
      await queries.resetQueries({ queryKey: ME });
      navigate(safeNext(params.get('next')), { replace: true });
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = validate(registerInput, fieldsOf(event.currentTarget));
    setErrors(checked.errors ?? {});
    if (checked.data) signUp.mutate(checked.data);
  };

  return (
    <main className="auth-page">
      <h1>Create your Timbrix account</h1>
      <form onSubmit={submit} noValidate className="card">
        <Field label="Name" name="name" autoComplete="name" error={errors.name} />
        <Field label="Email" name="email" type="email" autoComplete="email" error={errors.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint="At least 8 characters"
          error={errors.password}
        />
        <FormError error={signUp.error} />
        <button type="submit" disabled={signUp.isPending}>
          {signUp.isPending ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account? <Link to={`/sign-in?${params}`}>Sign in</Link>
      </p>
    </main>
  );
}
