import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api.js';
import { Empty, Failure, Loading } from '../../components/Status.js';
import { Table } from '../../components/Table.js';

/** The organization's OAuth apps, newest first. */
export function AppList({ organizationId }: { organizationId: string }) {
  const apps = useQuery({
    queryKey: ['oauthApps.list', organizationId],
    queryFn: () => api.oauthApps.list.query({ organizationId }),
  });
  return (
    <section>
      <div className="page-head">
        <h1>OAuth apps</h1>
        <Link className="button" to="/apps/new">
          Register an app
        </Link>
      </div>
      {apps.isPending && <Loading what="the apps" />}
      {apps.isError && <Failure error={apps.error} retry={() => apps.refetch()} />}
      {apps.data?.length === 0 && (
        <Empty>
          <p>No app is registered yet. Register one to let other software act for you.</p>
        </Empty>
      )}
      {apps.data && apps.data.length > 0 && (
        <Table columns={['Name', 'Client ID', 'Scopes', 'Status']}>
          {apps.data.map((app) => (
            <tr key={app.clientId}>
              <td>
                <Link to={`/apps/${app.clientId}`}>{app.name}</Link>
              </td>
              <td>
                <code>{app.clientId}</code>
              </td>
              <td>{app.scopes.join(', ')}</td>
              <td>
                <span className={app.isActive ? 'badge' : 'badge off'}>
                  {app.isActive ? 'Active' : 'Deactivated'}
                </span>
              </td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
