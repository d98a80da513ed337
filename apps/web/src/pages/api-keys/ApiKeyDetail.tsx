import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiKey } from '@timbrix/shared/schemas';
import { updateApiKeyInput } from '@timbrix/shared/schemas';
import { type FormEvent, useState } from 'react';
import { useParams } from 'react-router';
import { api, errorCode } from '../../api.js';
import { Dialog } from '../../components/Dialog.js';
import { Field } from '../../components/Field.js';
import { Failure, FormError, Loading } from '../../components/Status.js';
import { type FieldErrors, validate } from '../../forms.js';
import type { Me } from '../../session.js';
import { ScopeChoice } from '../apps/ScopeChoice.js';
import {
  ApiKeyStatus,
  apiKeyFormValues,
  KeyPrefix,
  LimitFields,
  limitsOf,
  timeOr,
} from './ApiKeyFields.js';

type Changes = Omit<Parameters<typeof api.apiKeys.update.mutate>[0], 'organizationId' | 'keyId'>;

interface ApiKeyDetailProps {
  organizationId: string;
  me: Me;
}

export function ApiKeyDetail({ organizationId, me }: ApiKeyDetailProps) {
  const { keyId = '' } = useParams();
  const ids = { organizationId, keyId };
  const queries = useQueryClient();
  const key = ['apiKeys.byId', keyId];
  const apiKey = useQuery({ queryKey: key, queryFn: () => api.apiKeys.byId.query(ids) });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [confirmRevoke, setConfirmRevoke] = useState(false);

  const update = useMutation({
    mutationFn: (changes: Changes) => api.apiKeys.update.mutate({ ...ids, ...changes }),
    onSuccess: (updated) => {
      queries.setQueryData(key, updated);
      void queries.invalidateQueries({ queryKey: ['apiKeys.list'] });
    },
    // Revoked meanwhile (409): read it again, to show it as it now is.
    onError: (error) => {
      if (errorCode(error) === 'CONFLICT') void queries.invalidateQueries({ queryKey: key });
    },
  });
  const revoke = useMutation({
    mutationFn: () => api.apiKeys.revoke.mutate(ids),
    onSuccess: async () => {
      setConfirmRevoke(false);
      await queries.invalidateQueries({ queryKey: key });
      void queries.invalidateQueries({ queryKey: ['apiKeys.list'] });
    },
  });

  if (apiKey.isPending) return <Loading what="the API key" />;
  if (apiKey.isError) return <Failure error={apiKey.error} retry={() => apiKey.refetch()} />;
  const current = apiKey.data;
  const revoked = current.status === 'revoked';

  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = validate(updateApiKeyInput, {
      ...ids,
      ...apiKeyFormValues(event.currentTarget),
    });
    setErrors(checked.errors ?? {});
    if (checked.data) update.mutate(checked.data);
  };

  return (
    <section className="stack">
      <div className="page-head">
        <h1 className="wrap">{current.name}</h1>
        <ApiKeyStatus status={current.status} />
      </div>
      {current.description && <p>{current.description}</p>}
      <Facts apiKey={current} me={me} />

      {revoked ? (
        <ReadOnlySettings apiKey={current} />
      ) : (
        <form onSubmit={save} noValidate className="card wide" aria-labelledby="settings-title">
          <h2 id="settings-title">Settings</h2>
          <Field label="Name" name="name" defaultValue={current.name} error={errors.name} />
          <Field
            label="Description (optional)"
            name="description"
            defaultValue={current.description ?? ''}
            error={errors.description}
          />
          <ScopeChoice
            platformAdmin={me.isPlatformAdmin}
            chosen={current.scopes}
            error={errors.scopes}
          />
          <LimitFields current={current} errors={errors} />
          <FormError error={update.error} />
          <p className="status" role="status">
            {update.isSuccess ? 'Saved. The changes hold from the key’s next request.' : ''}
          </p>
          <button type="submit" disabled={update.isPending}>
            Save changes
          </button>
        </form>
      )}

      {!revoked && (
        <div className="card">
          <h2>Revoke</h2>
          <p>
            Revoking the key stops it working at once, everywhere. It stays listed, as revoked, and
            can no longer be changed.
          </p>
          <button type="button" className="danger" onClick={() => setConfirmRevoke(true)}>
            Revoke this key
          </button>
        </div>
      )}

      {confirmRevoke && (
        <Dialog title={`Revoke ${current.name}?`} onClose={() => setConfirmRevoke(false)}>
          <p>
            Software that sends <KeyPrefix prefix={current.prefix} /> is refused from its next
            request on. This cannot be undone: a new key would have to be made and handed out.
          </p>
          <FormError error={revoke.error} />
          <div className="actions">
            <button
              type="button"
              className="danger"
              disabled={revoke.isPending}
              onClick={() => revoke.mutate()}
            >
              Revoke the key
            </button>
            <button type="button" className="secondary" onClick={() => setConfirmRevoke(false)}>
              Keep it
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

const CREATORS = { user: 'A person', app: 'An app' };

/** Who made the key: the person looking, another person, or an app. */
function creatorOf({ createdBy }: ApiKey, me: Me) {
  if (createdBy.type === 'user' && createdBy.id === me.id) return 'You';
  return (
    <>
      {CREATORS[createdBy.type]} <code className="id">{createdBy.id}</code>
    </>
  );
}

/** What the key is: what is kept of it, and when it was made, used, ends. */
function Facts({ apiKey, me }: { apiKey: ApiKey; me: Me }) {
  return (
    <div className="card">
      <dl className="facts">
        <dt>Key</dt>
        <dd>
          <KeyPrefix prefix={apiKey.prefix} />
        </dd>
        <dt>Created</dt>
        <dd>
          {timeOr(apiKey.createdAt, '—')} by {creatorOf(apiKey, me)}
        </dd>
        <dt>Last used</dt>
        <dd>{timeOr(apiKey.lastUsedAt, 'Never')}</dd>
        <dt>{apiKey.status === 'expired' ? 'Expired' : 'Expires'}</dt>
        <dd>{timeOr(apiKey.expiresAt, 'Never')}</dd>
        {apiKey.revokedAt && (
          <>
            <dt>Revoked</dt>
            <dd>{timeOr(apiKey.revokedAt, '—')}</dd>
          </>
        )}
      </dl>
    </div>
  );
}

/** A revoked key's settings, shown as they were: nothing about it changes any more. */
function ReadOnlySettings({ apiKey }: { apiKey: ApiKey }) {
  return (
    <section className="card" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <p>The key is revoked: its settings can no longer be changed.</p>
      <dl className="facts">
        <dt>Scopes</dt>
        <dd>
          <ul className="event-list">
            {apiKey.scopes.map((scope) => (
              <li key={scope}>
                <code>{scope}</code>
              </li>
            ))}
          </ul>
        </dd>
        <dt>Limits</dt>
        <dd>{limitsOf(apiKey)}</dd>
        <dt>Allowed IP addresses</dt>
        <dd>
          {apiKey.allowedIps.length === 0 ? (
            'Any'
          ) : (
            <ul className="event-list">
              {apiKey.allowedIps.map((ip) => (
                <li key={ip}>
                  <code>{ip}</code>
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
    </section>
  );
}
