import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api.js';
import { Empty, Failure, FormError, Loading } from '../../components/Status.js';
import { Table } from '../../components/Table.js';
import { ApiKeyStatus, KeyPrefix, timeOr } from './ApiKeyFields.js';

const PAGE = 25;

/** The organization's API keys, newest first, revoked and expired ones too, paged. */
export function ApiKeyList({ organizationId }: { organizationId: string }) {
  const keys = useInfiniteQuery({
    queryKey: ['apiKeys.list', organizationId],
    queryFn: ({ pageParam }) =>
      api.apiKeys.list.query({ organizationId, limit: PAGE, after: pageParam }),
    initialPageParam: undefined as string | undefined,
    // A full page may have more behind it; the last key's id is where the next one starts.
    getNextPageParam: (page) => (page.length === PAGE ? page.at(-1)?.id : undefined),
  });
  const rows = keys.data?.pages.flat() ?? [];

  return (
    <section>
      <div className="page-head">
        <h1>API keys</h1>
        <Link className="button" to="/api-keys/new">
          New API key
        </Link>
      </div>
      <p>
        Each key lets software call the API for the organization, as an admin would, narrowed by its
        scopes. Only the start of a key is kept to tell it apart.
      </p>
      {keys.isPending && <Loading what="the API keys" />}
      {keys.isError && !keys.isFetchNextPageError && (
        <Failure error={keys.error} retry={() => keys.refetch()} />
      )}
      {keys.isSuccess && rows.length === 0 && (
        <Empty>
          <p>No API key yet. Create one to let a script or a service call the API.</p>
        </Empty>
      )}
      {rows.length > 0 && (
        <Table columns={['Name', 'Key', 'Scopes', 'Status', 'Last used', 'Expires']}>
          {rows.map((key) => (
            <tr key={key.id}>
              <td>
                <Link to={`/api-keys/${key.id}`}>{key.name}</Link>
              </td>
              <td>
                <KeyPrefix prefix={key.prefix} />
              </td>
              <td>
                <ul className="event-list">
                  {key.scopes.map((scope) => (
                    <li key={scope}>
                      <code>{scope}</code>
                    </li>
                  ))}
                </ul>
              </td>
              <td>
                <ApiKeyStatus status={key.status} />
              </td>
              <td>{timeOr(key.lastUsedAt, 'Never')}</td>
              <td>{key.revokedAt ? '—' : timeOr(key.expiresAt, 'Never')}</td>
            </tr>
          ))}
        </Table>
      )}
      <FormError error={keys.isFetchNextPageError ? keys.error : undefined} />
      {keys.hasNextPage && (
        <button
          type="button"
          className="secondary load-more"
          onClick={() => keys.fetchNextPage()}
          disabled={keys.isFetchingNextPage}
        >
          {keys.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
