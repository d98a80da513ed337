import { useMutation, useQueryClient } from '@tanstack/react-query';
import { loginInput } from '@timbrix/shared/schemas';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api.js';
import { Field } from '../components/Field.js';
import { FormError } from '../components/Status.js';
import { type FieldErrors, fieldsOf, validate } from '../forms.js';
import { ME } from '../session.js';

/**
 * Where to go after signing in: a path of this console only, never another site. Browsers
 * drop tabs and newlines and read `\` as `/` in URLs, so a path with any of them is refused
 * rather than trusted to stay here.
 */
export function safeNext(next: string | null): string {
  const unsafe = [...(next ?? '')].some((c) => c === '\\' || c <= ' ' || c === '\x7f');
  if (!next?.startsWith('/') || unsafe) return '/';
  const url = new URL(next, window.location.origin);
  return url.origin === window.location.origin ? `${url.pathname}${url.search}${url.hash}` : '/';
}

export function SignIn() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [errors, setErrors] = useState<FieldErrors>({});
  const signIn = useMutation({
    mutationFn: (input: { email: string; password: string }) => api.auth.signIn.mutate(input),
    // The password it was called with is kept no longer than the page.
    gcTime: 0,
    onSuccess: async () => {
      await queries.resetQueries({ queryKey: ME });
      navigate(safeNext(params.get('next')), { replace: true });
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = validate(loginInput, fieldsOf(event.currentTarget));
    setErrors(checked.errors ?? {});
    if (checked.data) signIn.mutate(checked.data);
  };

  return (
    <main className="auth-page">
      <h1>Sign in to Timbrix</h1>
      <form onSubmit={submit} noValidate className="card">
        <Field label="Email" name="email" type="email" autoComplete="email" error={errors.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          error={errors.password}
        />
        <FormError error={signIn.error} />
        <button type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        New here? <Link to={`/sign-up?${params}`}>Create an account</Link>
      </p>
    </main>
  );
}
