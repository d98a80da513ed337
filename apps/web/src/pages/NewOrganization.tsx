import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createOrganizationInput } from '@timbrix/shared/schemas';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { activeOrganization, api } from '../api.js';
import { Field } from '../components/Field.js';
import { FormError } from '../components/Status.js';
import { type FieldErrors, fieldsOf, validate } from '../forms.js';
import { ME } from '../session.js';

export function NewOrganization() {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useMutation({
    mutationFn: (input: { name: string; slug: string; logo?: string | undefined }) =>
      api.organizations.create.mutate(input),
    onSuccess: async (organization) => {
      activeOrganization.set(organization.id);
      await queries.invalidateQueries({ queryKey: ME });
      navigate('/');
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = validate(createOrganizationInput, fieldsOf(event.currentTarget));
    setErrors(checked.errors ?? {});
    if (checked.data) create.mutate(checked.data);
  };

  return (
    <section>
      <h1>Create an organization</h1>
      <form onSubmit={submit} noValidate className="card">
        <Field label="Name" name="name" error={errors.name} />
        <Field
          label="Slug"
          name="slug"
          hint="Lowercase letters, digits and hyphens; it never changes"
          error={errors.slug}
        />
        <Field label="Logo URL (optional)" name="logo" type="url" error={errors.logo} />
        <FormError error={create.error} />
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create organization'}
        </button>
      </form>
    </section>
  );
}
