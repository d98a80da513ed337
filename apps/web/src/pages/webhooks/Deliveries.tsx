import { useQuery } from '@tanstack/react-query';
import type { WebhookDelivery } from '@timbrix/shared/schemas';
import { api } from '../../api.js';
import { Failure, Loading } from '../../components/Status.js';
import { Table } from '../../components/Table.js';

export const deliveriesKey = (webhookId: string) => ['webhooks.deliveries', webhookId];

const STATUS_BADGE = { succeeded: 'badge', failed: 'badge off', pending: 'badge pending' };

/**
 * The webhook's last 100 deliveries, newest first. While one is still pending (queued, or
 * between retries) the list is read again every few seconds.
 */
export function Deliveries(props: { organizationId: string; webhookId: string }) {
  const deliveries = useQuery({
    queryKey: deliveriesKey(props.webhookId),
    queryFn: () => api.webhooks.deliveries.query(props),
    refetchInterval: (query) =>
      query.state.data?.some((delivery) => delivery.status === 'pending') ? 2000 : false,
  });
  return (
    <section className="card" aria-labelledby="deliveries-title">
      <div className="page-head">
        <h2 id="deliveries-title">Deliveries</h2>
        <button
          type="button"
          className="secondary"
          onClick={() => deliveries.refetch()}
          disabled={deliveries.isFetching}
        >
          Refresh
        </button>
      </div>
      {deliveries.isPending && <Loading what="the deliveries" />}
      {deliveries.isError && (
        <Failure error={deliveries.error} retry={() => deliveries.refetch()} />
      )}
      {deliveries.data?.length === 0 && <p>Nothing delivered yet. Send a test event to try it.</p>}
      {deliveries.data && deliveries.data.length > 0 && (
        <Table
          columns={['Event', 'Status', 'Status code', 'Attempts', 'Duration', 'Time', 'Response']}
        >
          {deliveries.data.map((delivery) => (
            <DeliveryRow key={delivery.id} delivery={delivery} />
          ))}
        </Table>
      )}
    </section>
  );
}

function DeliveryRow({ delivery }: { delivery: WebhookDelivery }) {
  return (
    <tr>
      <td>
        <code>{delivery.event}</code>
      </td>
      <td>
        <span className={STATUS_BADGE[delivery.status]}>{delivery.status}</span>
      </td>
      <td>{delivery.statusCode ?? '—'}</td>
      <td>{delivery.attempts}</td>
      <td>{delivery.durationMs === null ? '—' : `${delivery.durationMs} ms`}</td>
      <td>{new Date(delivery.lastAttemptAt ?? delivery.createdAt).toLocaleString()}</td>
      <td>
        {delivery.responseBody ? (
          // The receiver's answer, as text: React never reads it as HTML.
          <details>
            <summary>Body</summary>
            <pre className="response">{delivery.responseBody}</pre>
          </details>
        ) : (
          '—'
        )}
      </td>
    </tr>
  );
}
