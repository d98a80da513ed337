import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { updateOrganizationInput } from '@timbrix/shared/schemas';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { activeOrganization, api } from '../api.js';
import { Dialog } from '../components/Dialog.js';
import { Field } from '../components/Field.js';
import { Failure, FormError, Loading } from '../components/Status.js';
import { type FieldErrors, fieldsOf, validate } from '../forms.js';
import { ME } from '../session.js';

/** The owner's page: rename the organization, change its logo, delete it. */
export function Settings({ organizationId }: { organizationId: string }) {
  const queries = useQueryClient();
  const navigate = useNavigate();
  const key = ['organizations.byId', organizationId];
  const organization = useQuery({
    queryKey: key,
    queryFn: () => api.organizations.byId.query({ organizationId }),
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [deleting, setDeleting] = useState(false);
  const [typed, setTyped] = useState('');
  const update = useMutation({
    mutationFn: (input: Parameters<typeof api.organizations.update.mutate>[0]) =>
      api.organizations.update.mutate(input),
    onSuccess: (updated) => {
      queries.setQueryData(key, updated);
      void queries.invalidateQueries({ queryKey: ME });
    },
  });
  const remove = useMutation({
    mutationFn: () => api.organizations.delete.mutate({ organizationId }),
    onSuccess: async () => {
      activeOrganization.set(undefined);
      await queries.invalidateQueries({ queryKey: ME });
      navigate('/', { replace: true });
    },
  });

  if (organization.isPending) return <Loading what="the organization" />;
  if (organization.isError) {
    return <Failure error={organization.error} retry={() => organization.refetch()} />;
  }
  const current = organization.data;
  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const values = fieldsOf(event.currentTarget);
    const checked = validate(updateOrganizationInput, { organizationId, ...values });
    setErrors(checked.errors ?? {});
    if (checked.data) update.mutate(checked.data);
  };

  return (
    <section className="stack">
      <h1>Settings of {current.name}</h1>
      <form onSubmit={save} noValidate className="card" aria-labelledby="org-title">
        <h2 id="org-title">Organization</h2>
        <Field label="Name" name="name" defaultValue={current.name} error={errors.name} />
        <Field
          label="Logo URL"
          name="logo"
          type="url"
          defaultValue={current.logo ?? ''}
          hint="An https address; leave it empty for no logo"
          error={errors.logo}
        />
        <FormError error={update.error} />
        {update.isSuccess && <p role="status">Saved.</p>}
        <button type="submit" disabled={update.isPending}>
          Save
        </button>
      </form>
      <div className="card">
        <h2>Delete the organization</h2>
        <p>Its members, invitations, apps, secrets and tokens go with it, at once.</p>
        <button type="button" className="danger" onClick={() => setDeleting(true)}>
          Delete {current.name}
        </button>
      </div>
      {deleting && (
        <Dialog title={`Delete ${current.name}?`} onClose={() => setDeleting(false)}>
          <p>This cannot be undone. Type the organization’s slug to confirm.</p>
          <Field
            label={`Type ${current.slug}`}
            value={typed}
            onChange={(event) => setTyped(event.currentTarget.value)}
            autoComplete="off"
          />
          <FormError error={remove.error} />
          <div className="actions">
            <button
              type="button"
              className="danger"
              disabled={typed !== current.slug || remove.isPending}
              onClick={() => remove.mutate()}
            >
              Delete for good
            </button>
            <button type="button" className="secondary" onClick={() => setDeleting(false)}>
              Keep it
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}
