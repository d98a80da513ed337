import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api.js';
import { Empty, Failure, Loading } from '../components/Status.js';
import { currentOrganization, type Me } from '../session.js';

/** The organization the person works in, or how to get one. */
export function Overview({ me }: { me: Me }) {
  const membership = currentOrganization(me);
  const organization = useQuery({
    queryKey: ['organizations.byId', membership?.id],
    queryFn: () => api.organizations.byId.query({ organizationId: membership!.id }),
    enabled: membership !== undefined,
  });

  if (!membership) {
    return (
      <Empty>
        <h1>Welcome, {me.name ?? me.email}</h1>
        <p>You belong to no organization yet. Create one, or accept an invitation you were sent.</p>
        <Link className="button" to="/organizations/new">
          Create an organization
        </Link>
      </Empty>
    );
  }
  if (organization.isPending) return <Loading what="the organization" />;
  if (organization.isError) {
    return <Failure error={organization.error} retry={() => organization.refetch()} />;
  }
  const org = organization.data;
  return (
    <section>
      <h1>{org.name}</h1>
      <dl className="facts card">
        <dt>Slug</dt>
        <dd>
          <code>{org.slug}</code>
        </dd>
        <dt>Your role</dt>
        <dd>{membership.role}</dd>
        <dt>Plan</dt>
        <dd>{org.plan}</dd>
        <dt>Created</dt>
        <dd>{new Date(org.createdAt).toLocaleDateString()}</dd>
      </dl>
    </section>
  );
}
