import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api.js';
import { Empty, Failure, Loading } from '../../components/Status.js';
import { Table } from '../../components/Table.js';
import { WebhookState } from './WebhookState.js';

/** The organization's webhooks, oldest first. */
export function WebhookList({ organizationId }: { organizationId: string }) {
  const webhooks = useQuery({
    queryKey: ['webhooks.list', organizationId],
    queryFn: () => api.webhooks.list.query({ organizationId }),
  });
  return (
    <section>
      <div className="page-head">
        <h1>Webhooks</h1>
        <Link className="button" to="/webhooks/new">
          Add a webhook
        </Link>
      </div>
      <p>
        Each webhook receives the organization’s events it subscribes to, signed with its secret.
      </p>
      {webhooks.isPending && <Loading what="the webhooks" />}
      {webhooks.isError && <Failure error={webhooks.error} retry={() => webhooks.refetch()} />}
      {webhooks.data?.length === 0 && (
        <Empty>
          <p>No webhook yet. Add one to have Timbrix tell your software what changes.</p>
        </Empty>
      )}
      {webhooks.data && webhooks.data.length > 0 && (
        <Table columns={['URL', 'Events', 'Status']}>
          {webhooks.data.map((webhook) => (
            <tr key={webhook.id}>
              <td className="wrap">
                <Link to={`/webhooks/${webhook.id}`}>{webhook.url}</Link>
                {webhook.description && (
                  <>
                    <br />
                    <small>{webhook.description}</small>
                  </>
                )}
              </td>
              <td>
                <ul className="event-list">
                  {webhook.events.map((event) => (
                    <li key={event}>
                      <code>{event}</code>
                    </li>
                  ))}
                </ul>
              </td>
              <td>
                <WebhookState webhook={webhook} />
              </td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
