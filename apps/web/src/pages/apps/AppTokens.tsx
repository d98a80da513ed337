import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, messageOf } from '../../api.js';
import { Failure, Loading } from '../../components/Status.js';

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
      {revoke.isError && <p className="form-error">{messageOf(revoke.error)}</p>}
      {tokens.data && tokens.data.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Token</th>
                <th scope="col">Scopes</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
