import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api.js';
import { Failure, FormError, Loading } from '../../components/Status.js';
import { Table } from '../../components/Table.js';

/** The app's live access tokens, each revocable. */
export function AppTokens({ clientId }: { clientId: string }) {
  const queries = useQueryClient();
  const key = ['tokens.list', clientId];
  const tokens = useQuery({ queryKey: key, queryFn: () => api.tokens.list.query({ clientId }) });
  const revoke = useMutation({
    mutationFn: (tokenId: string) => api.tokens.revoke.mutate({ tokenId }),
    onSuccess: () => queries.invalidateQueries({ queryKey: key }),
  });
  return (
    <div className="card">
      <h2>Live tokens</h2>
      {tokens.isPending && <Loading what="the tokens" />}
      {tokens.isError && <Failure error={tokens.error} retry={() => tokens.refetch()} />}
      {tokens.data?.length === 0 && <p>No live token: none has been issued, or all have ended.</p>}
      <FormError error={revoke.error} />
      {tokens.data && tokens.data.length > 0 && (
        <Table columns={['Token', 'Scopes', 'Expires', { hidden: 'Actions' }]}>
          {tokens.data.map((token) => (
            <tr key={token.id}>
              <td>
                <code>{token.id.slice(0, 14)}…</code>
              </td>
              <td>{token.scopes.join(', ')}</td>
              <td>{new Date(token.expiresAt).toLocaleString()}</td>
              <td>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => revoke.mutate(token.id)}
                  aria-label={`Revoke token ${token.id.slice(0, 14)}`}
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </Table>
      )}
    </div>
  );
}
