import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { activeOrganization, api } from '../../api.js';
import { FormError } from '../../components/Status.js';
import { ME, type Me } from '../../session.js';

/** An invitation's link, opened by the person it was sent to (signed in first). */
export function AcceptInvitation({ me }: { me: Me }) {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const token = params.get('token') ?? '';
  const accept = useMutation({
    mutationFn: () => api.invitations.accept.mutate({ token }),
    onSuccess: async (joined) => {
      activeOrganization.set(joined.organizationId);
      await queries.invalidateQueries({ queryKey: ME });
      navigate('/');
    },
  });
  return (
    <section>
      <h1>Join an organization</h1>
      <div className="card">
        <p>
          You were invited to an organization on Timbrix. You are signed in as{' '}
          <strong>{me.email}</strong>; the invitation must be for this address.
        </p>
        <FormError error={accept.error} />
        <button type="button" onClick={() => accept.mutate()} disabled={!token || accept.isPending}>
          Accept the invitation
        </button>
      </div>
    </section>
  );
}
