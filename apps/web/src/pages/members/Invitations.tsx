import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createInviteInput } from '@timbrix/shared/schemas';
import { type FormEvent, useId, useState } from 'react';
import { api } from '../../api.js';
import { Field } from '../../components/Field.js';
import { Failure, FormError, Loading } from '../../components/Status.js';
import { type FieldErrors, fieldsOf, validate } from '../../forms.js';

/** Inviting people, and the invitations still waiting for an answer. */
export function Invitations({ organizationId }: { organizationId: string }) {
  const queries = useQueryClient();
  const roleId = useId();
  const key = ['invitations.list', organizationId];
  const pending = useQuery({
    queryKey: key,
    queryFn: () => api.invitations.list.query({ organizationId }),
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [link, setLink] = useState<string>();
  const invite = useMutation({
    mutationFn: (input: Parameters<typeof api.invitations.create.mutate>[0]) =>
      api.invitations.create.mutate(input),
    onSuccess: (invitation) => {
      setLink(
        `${location.origin}/invitations/accept?token=${encodeURIComponent(invitation.token)}`,
      );
      void queries.invalidateQueries({ queryKey: key });
    },
  });
  const cancel = useMutation({
    mutationFn: (invitationId: string) =>
      api.invitations.cancel.mutate({ organizationId, invitationId }),
    onSuccess: () => queries.invalidateQueries({ queryKey: key }),
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const checked = validate(createInviteInput, { organizationId, ...fieldsOf(form) });
    setErrors(checked.errors ?? {});
    setLink(undefined);
    if (checked.data) invite.mutate(checked.data, { onSuccess: () => form.reset() });
  };

  return (
    <>
      <form onSubmit={submit} noValidate className="card" aria-labelledby="invite-title">
        <h2 id="invite-title">Invite someone</h2>
        <Field label="Email" name="email" type="email" error={errors.email} />
        <div className="field">
          <label htmlFor={roleId}>Role</label>
          <select id={roleId} name="role" defaultValue="member">
            <option value="member">member: reads the organization and its members</option>
            <option value="admin">admin: also manages members and apps</option>
          </select>
        </div>
        <FormError error={invite.error} />
        {link && (
          <div className="warning" role="status">
            <p>Send this link to the person you invited; it is shown only now:</p>
            <code className="secret">{link}</code>
          </div>
        )}
        <button type="submit" disabled={invite.isPending}>
          Invite
        </button>
      </form>

      <div className="card">
        <h2>Pending invitations</h2>
        {pending.isPending && <Loading what="the invitations" />}
        {pending.isError && <Failure error={pending.error} retry={() => pending.refetch()} />}
        {pending.data?.length === 0 && <p>No invitation is waiting for an answer.</p>}
        <FormError error={cancel.error} />
        {pending.data && pending.data.length > 0 && (
          <ul className="plain-list">
            {pending.data.map((invitation) => (
              <li key={invitation.id}>
                <span>
                  {invitation.email} as {invitation.role}, until{' '}
                  {new Date(invitation.expiresAt).toLocaleDateString()}
                </span>
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Cancel the invitation of ${invitation.email}`}
                  onClick={() => cancel.mutate(invitation.id)}
                >
                  Cancel
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </>
  );
}
