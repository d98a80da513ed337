import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { can } from '@timbrix/shared/authorization';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { activeOrganization, api } from '../../api.js';
import { Dialog } from '../../components/Dialog.js';
import { Failure, FormError, Loading } from '../../components/Status.js';
import { Table } from '../../components/Table.js';
import { ME, type Me, type MyOrganization } from '../../session.js';
import { Invitations } from './Invitations.js';

type Member = Awaited<ReturnType<typeof api.members.list.query>>[number];

/** The organization's people: everyone sees them; owners and admins manage them. */
export function Members({ me, organization }: { me: Me; organization: MyOrganization }) {
  const queries = useQueryClient();
  const navigate = useNavigate();
  const organizationId = organization.id;
  const key = ['members.list', organizationId];
  const manages = can(organization.role, 'members:manage');
  const members = useQuery({
    queryKey: key,
    queryFn: () => api.members.list.query({ organizationId }),
  });
  const [removing, setRemoving] = useState<Member>();
  const changeRole = useMutation({
    mutationFn: (change: { memberId: string; role: 'admin' | 'member' }) =>
      api.members.changeRole.mutate({ organizationId, ...change }),
    onSuccess: () => queries.invalidateQueries({ queryKey: key }),
  });
  const remove = useMutation({
    mutationFn: (member: Member) =>
      api.members.remove.mutate({ organizationId, memberId: member.id }),
    onSuccess: async (_, member) => {
      setRemoving(undefined);
      if (member.user.id === me.id) {
        activeOrganization.set(undefined);
        await queries.invalidateQueries({ queryKey: ME });
        navigate('/');
        return;
      }
      await queries.invalidateQueries({ queryKey: key });
    },
  });
  // What the caller may do to one member, by the same rules the server applies.
  const mayChange = (member: Member) =>
    manages &&
    member.role !== 'owner' &&
    (member.role === 'member' || organization.role === 'owner');

  return (
    <section className="stack">
      <h1>Members of {organization.name}</h1>
      {members.isPending && <Loading what="the members" />}
      {members.isError && <Failure error={members.error} retry={() => members.refetch()} />}
      <FormError error={changeRole.error ?? remove.error} />
      {members.data && (
        <Table columns={['Person', 'Role', 'Joined', { hidden: 'Actions' }]}>
          {members.data.map((member) => (
            <tr key={member.id}>
              <td>
                {member.user.name ?? member.user.email}
                <br />
                <small>{member.user.email}</small>
              </td>
              <td>
                {mayChange(member) ? (
                  <RoleChoice
                    member={member}
                    saving={changeRole.isPending}
                    onSave={(role) => changeRole.mutate({ memberId: member.id, role })}
                  />
                ) : (
                  member.role
                )}
              </td>
              <td>{new Date(member.joinedAt).toLocaleDateString()}</td>
              <td>
                {(mayChange(member) || (member.user.id === me.id && member.role !== 'owner')) && (
                  <button type="button" className="secondary" onClick={() => setRemoving(member)}>
                    {member.user.id === me.id ? 'Leave' : 'Remove'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
      {manages && <Invitations organizationId={organizationId} />}
      {removing && (
        <Dialog
          title={
            removing.user.id === me.id
              ? `Leave ${organization.name}?`
              : `Remove ${removing.user.email}?`
          }
          onClose={() => setRemoving(undefined)}
        >
          <p>
            What they could do in this organization stops at once. Apps stay the organization’s.
          </p>
          <div className="actions">
            <button type="button" className="danger" onClick={() => remove.mutate(removing)}>
              {removing.user.id === me.id ? 'Leave' : 'Remove'}
            </button>
            <button type="button" className="secondary" onClick={() => setRemoving(undefined)}>
              Cancel
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

type InvitableRole = 'admin' | 'member';

/**
 * A member's role, changed only when saved: a select that acted on every change would change
 * the role at each arrow key of someone moving through it by keyboard.
 */
function RoleChoice(props: {
  member: Member;
  saving: boolean;
  onSave: (role: InvitableRole) => void;
}) {
  const { member, saving, onSave } = props;
  const [role, setRole] = useState(member.role as InvitableRole);
  return (
    <span className="role-choice">
      <select
        aria-label={`Role of ${member.user.email}`}
        value={role}
        onChange={(event) => setRole(event.target.value as InvitableRole)}
      >
        <option value="admin">admin</option>
        <option value="member">member</option>
      </select>
      {role !== member.role && (
        <button type="button" disabled={saving} onClick={() => onSave(role)}>
          Save role
        </button>
      )}
    </span>
  );
}
